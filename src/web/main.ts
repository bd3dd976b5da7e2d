/// <reference lib="dom" />
// The explorer page: tabs, the checkpoint picker, and a small hook for the browser tests
// (window.explorer). The model runs here, with torchlet's own tensors and kernels.

import { getBackend, setBackend, setNumThreads, type BackendName } from "../browser.js";
import { kernels, readyThreads } from "../kernels/index.js";
import { checkpointBytes, listCheckpoints } from "./api.js";
import { installWasmKernels } from "./backend.js";
import { Curriculum } from "./curriculum.js";
import { DrawTab } from "./draw-tab.js";
import { renderFilters } from "./filters-tab.js";
import { loadModel, predict, type LoadedModel } from "./model.js";
import { el } from "./render.js";
import { TrainTab } from "./train-tab.js";

const status = document.getElementById("status")!;
const picker = document.getElementById("checkpoint") as HTMLSelectElement;
let model: LoadedModel | undefined;
/** The threads the page's kernels may use (1 unless the page is cross-origin isolated). */
let kernelThreads = 1;
let tab = "draw";

function say(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle("error", error);
}

const curriculum = new Curriculum();
const draw = new DrawTab((frame) => {
  curriculum.setImage(frame);
  if (tab === "curriculum") curriculum.render();
});

function showTab(name: string): void {
  tab = name;
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>("#tabs button"))) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const s of Array.from(document.querySelectorAll<HTMLElement>("section.tab"))) s.hidden = s.id !== `tab-${name}`;
  if (name === "curriculum") curriculum.render();
}
for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>("#tabs button"))) b.addEventListener("click", () => showTab(b.dataset.tab!));

function label(name: string, m: Record<string, string>, where = ""): string {
  const facts = [m.model === "lenet5" ? `LeNet-5 ${m.c3 ?? ""}` : m.model, m.epoch && `epoch ${m.epoch}`, where].filter(Boolean).join(", ");
  return facts ? `${name} (${facts})` : name;
}

/** Models trained in this page (their checkpoint bytes), by picker id; listed above the server's. */
const pageModels = new Map<string, { bytes: Uint8Array; option: HTMLOptionElement }>();

async function refreshList(select?: string): Promise<void> {
  const list = await listCheckpoints();
  const current = select ?? picker.value;
  const own = [...pageModels.values()].map((p) => p.option);
  picker.replaceChildren(...own, ...list.map((c) => Object.assign(el("option", "", label(c.name, c.metadata)), { value: c.id })));
  if (picker.options.length === 0) {
    picker.append(Object.assign(el("option", "", "no checkpoints yet"), { value: "" }));
    say(`No checkpoints: train one in the Train tab, or run "torchlet train lenet5" and restart the server. Kernels: ${getBackend()}.`);
    return;
  }
  picker.value = Array.from(picker.options).some((o) => o.value === current) ? current : picker.options[0].value;
  if (picker.value !== loadedId) await choose(picker.value);
}

/** A model the page trained becomes the selected one (the same run's newer epoch replaces the older). */
function usePageModel(bytes: Uint8Array, name: string, info: Record<string, string>): void {
  const id = `page:${name}`;
  const option = pageModels.get(id)?.option ?? Object.assign(el("option"), { value: id });
  option.textContent = label(name, info, "trained in this page");
  pageModels.set(id, { bytes, option });
  if (option.parentElement !== picker) {
    if (picker.options.length === 1 && picker.options[0].value === "") picker.replaceChildren();
    picker.prepend(option);
  }
  picker.value = id;
  void choose(id);
}

let loadedId = "";
async function choose(id: string): Promise<void> {
  try {
    say(`loading ${id}…`);
    model = loadModel(pageModels.get(id)?.bytes ?? (await checkpointBytes(id)), id);
    loadedId = id;
    say(`${model.description}; running in this page with torchlet (kernels: ${getBackend()}${getBackend() === "wasm" ? `, ${kernelThreads} thread${kernelThreads > 1 ? "s" : ""}` : ""}).`);
  } catch (e) {
    model = undefined;
    loadedId = "";
    say((e as Error).message, true);
  }
  draw.setModel(model);
  renderFilters(document.getElementById("filters")!, model);
}
picker.addEventListener("change", () => void choose(picker.value));

// A saved epoch of a run becomes the selected checkpoint (reloaded when it was already selected).
new TrainTab({
  onCheckpoint: (c) => {
    void refreshList(c.id).then(() => {
      if (c.id === loadedId) void choose(c.id);
    });
  },
  onPageModel: usePageModel,
});

// The kernels first: every forward pass after this runs on them.
const ready = installWasmKernels()
  .then((k) => {
    if (k.reason) console.info(`explorer: WebAssembly kernels unavailable (${k.reason}); running the js kernels`);
    kernelThreads = k.threads;
    return refreshList();
  })
  .catch((e: Error) => say(e.message, true));
/** For the browser tests: the same forward pass as in Node, on a given 28x28 input. */
Object.assign(window, {
  explorer: {
    ready,
    loadedId: () => loadedId,
    backend: () => getBackend(),
    /** `backend`: run this pass on other kernels than the page's (restored afterwards). */
    forward(image: number[], backend: BackendName = getBackend()) {
      if (!model) throw new Error("explorer: no model loaded");
      const before = getBackend();
      setBackend(backend);
      let p: ReturnType<typeof predict>;
      try {
        p = predict(model, Float32Array.from(image));
      } finally {
        setBackend(before);
      }
      return { logits: [...p.logits], layers: p.layers.map((l) => ({ name: l.name, shape: l.output.shape, data: [...l.output.data] })) };
    },
    lastPrediction: () => draw.last && { probabilities: draw.last.probabilities, layers: draw.last.layers.length },
    /**
     * A GEMM large enough to be split, on 1 thread and then on 2 once a worker is ready (workers
     * start asynchronously in a page): whether the second ran on 2 threads, and whether the two
     * results are bit-identical.
     */
    async threads() {
      const [M, N, K] = [192, 256, 160];
      const A = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i));
      const B = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i));
      const run = (n: number) => {
        setNumThreads(n);
        const C = new Float32Array(M * N);
        kernels.gemm({ transA: false, transB: false, M, N, K, A, B, C });
        return C;
      };
      const one = run(1);
      run(2); // starts the worker
      for (let i = 0; i < 100 && readyThreads() < 2; i++) await new Promise((r) => setTimeout(r, 50));
      const used = readyThreads();
      const two = run(2);
      return { used, identical: one.every((v, i) => Object.is(v, two[i])) };
    },
  },
});
