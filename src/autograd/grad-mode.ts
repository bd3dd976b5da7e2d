// Whether ops record a graph. torch.noGrad(fn) turns recording off for evaluation loops.

let enabled = true;

/**
 * Whether operations are recorded for backward() right now (torch.is_grad_enabled).
 * @example torch.noGrad(() => torch.isGradEnabled()) // => false
 */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs fn with graph recording off (like `with torch.no_grad():`), restoring the mode after.
 * @example
 * const w = torch.ones([2], { requiresGrad: true });
 * torch.noGrad(() => w.mul(2)).requiresGrad // => false
 */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/**
 * Turns graph recording on or off until changed again (torch.set_grad_enabled); prefer noGrad.
 * @example
 * torch.setGradEnabled(false);
 * torch.isGradEnabled() // => false
 * torch.setGradEnabled(true);
 */
export function setGradEnabled(mode: boolean): void {
  enabled = mode;
}
