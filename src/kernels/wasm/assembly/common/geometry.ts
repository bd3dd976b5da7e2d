// A convolution's geometry as the JavaScript side writes it: 16 consecutive i32 at one address
// (see src/kernels/wasm/runtime/geometry.ts, which writes them in this order).

@unmanaged
export class Geometry {
  C: i32; // all input channels
  H: i32;
  W: i32;
  KH: i32;
  KW: i32;
  SH: i32;
  SW: i32;
  PH: i32;
  PW: i32;
  DH: i32;
  DW: i32;
  OH: i32;
  OW: i32;
  N: i32;
  OC: i32;
  groups: i32;
}
