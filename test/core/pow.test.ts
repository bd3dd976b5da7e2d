import { test } from "node:test";
import assert from "node:assert/strict";
import { powInt } from "../../src/core/pow.js";

// The nearest double to b^n, from exact rational arithmetic (Python: float(Fraction(b) ** n));
// the first six are Adam bias corrections where Node 20 and 22's Math.pow is one ulp off
// (0.9^4 gives 0.6561000000000001 there) and Node 24's is right.
const CASES: [number, number, number][] = [
  [0.9, 4, 0.6561],
  [0.9, 23, 0.08862938119652507],
  [0.9, 29, 0.047101286972462485],
  [0.9, 40, 0.014780882941434608],
  [0.999, 16, 0.9841194418156399],
  [0.999, 32, 0.9684910757595268],
  [0.999, 103, 0.902080484144017],
  [0.999, 10000, 4.517334597704824e-05],
  [0.99, 1234, 4.109889385915781e-06],
  [0.5, 1074, 5e-324],
  [1.01, 20000, 2.675935572350395e86],
  [0.9, 0, 1],
  [0.9, 1, 0.9],
  [-2, 3, -8],
];

test("powInt gives the correctly rounded b^n, the same bits on every Node line", () => {
  for (const [b, n, want] of CASES) assert.equal(powInt(b, n), want, `${b}^${n}`);
});

test("powInt agrees with repeated multiplication where that is exact, and refuses non-integer exponents", () => {
  for (let n = 0; n <= 60; n++) assert.equal(powInt(2, n), 2 ** n);
  assert.equal(powInt(3, 33), 5559060566555523); // 3^33 < 2^53: exact
  assert.throws(() => powInt(0.9, 1.5), /^RangeError: powInt: exponent must be a non-negative integer, got 1.5$/);
  assert.throws(() => powInt(0.9, -1), /got -1$/);
});
