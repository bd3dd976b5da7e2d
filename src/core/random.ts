// One seeded generator for every random draw (init, shuffling, dropout), so that
// torch.manualSeed(n) makes a whole run reproducible. xoshiro128** : small, fast, good quality.
// NOTE: the streams differ from PyTorch's mt19937; distributions and bounds are the same.
// A generator's whole state (getState / setState, torch.getRngState / setRngState) is a plain
// JSON-able object, so a checkpoint can carry it and a resumed run draws the same numbers.

/**
 * A seedable random stream (xoshiro128**), as torch.Generator; pass it to rand, randn, DataLoader, nn.init.
 * @example
 * const g = new torch.Generator(42);
 * torch.rand([3], { generator: g }).toArray() // => torch.rand([3], { generator: new torch.Generator(42) }).toArray()
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = Date.now()) {
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed`. */
  manualSeed(seed: number): this {
    // splitmix32 expands the seed into the four state words.
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spare = null;
    return this;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /**
   * Everything the next draws depend on: the four state words and the Box-Muller value kept for
   * the next normal(). A copy; JSON.stringify / JSON.parse round-trip it exactly.
   */
  getState(): RngState {
    return { algorithm: ALGORITHM, state: [...this.s], spareNormal: this.spare };
  }

  /** Restores a state from getState(): the draws that follow are the ones that followed it then. */
  setState(state: RngState): this {
    checkRngState(state);
    this.s.set(state.state);
    this.spare = state.spareNormal;
    return this;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Standard normal by Box-Muller (the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  randint(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.randint(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

const ALGORITHM = "xoshiro128**";

/**
 * A generator's state. NOTE: a plain object rather than PyTorch's ByteTensor: checkpoints keep
 * run facts as JSON strings (safetensors metadata holds strings only), JSON round-trips these
 * numbers exactly (32-bit integers, and a double printed as its shortest exact form), and
 * JSON.stringify would silently turn a Uint8Array into an object of numbered keys.
 */
export interface RngState {
  /** The generator's algorithm ("xoshiro128**"): setState refuses another's state. */
  algorithm: typeof ALGORITHM;
  /** The four 32-bit state words. */
  state: number[];
  /** The second Box-Muller value, returned by the next normal(); null when none is kept. */
  spareNormal: number | null;
}

function checkRngState(state: RngState): void {
  const bad = (what: string) => {
    throw new TypeError(`setRngState: expected a state from getRngState() (${ALGORITHM}), ${what}`);
  };
  if (state === null || typeof state !== "object") bad(`got ${state === null ? "null" : typeof state}`);
  if (state.algorithm !== ALGORITHM) bad(`got algorithm ${JSON.stringify(state.algorithm)}`);
  const words = state.state;
  if (!Array.isArray(words) || words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
    bad(`got state ${JSON.stringify(words)} (four unsigned 32-bit integers)`);
  }
  // xoshiro's all-zero state only ever yields zeros; manualSeed never produces it.
  if (words.every((w) => w === 0)) bad("got the all-zero state, which no seed produces");
  if (state.spareNormal !== null && !Number.isFinite(state.spareNormal)) bad(`got spareNormal ${state.spareNormal}`);
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The default generator behind torch.manualSeed. */
export const defaultGenerator = new Generator(0x5eed);

/**
 * Seeds the default generator (rand, randn, dropout, shuffling, initialization), as torch.manual_seed; returns it.
 * @example
 * torch.manualSeed(1);
 * const a = torch.randn([2]);
 * torch.manualSeed(1);
 * torch.randn([2]).toArray() // => a.toArray()
 */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** torch.get_rng_state(): the default generator's state (init, dropout, shuffling without a seed). */
export function getRngState(): RngState {
  return defaultGenerator.getState();
}

/** torch.set_rng_state(state): the default generator continues from `state`. */
export function setRngState(state: RngState): void {
  defaultGenerator.setState(state);
}
