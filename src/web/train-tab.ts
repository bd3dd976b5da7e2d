/// <reference lib="dom" />
// The Train tab: trains in this page (web/page-training.ts: a Web Worker with torchlet's
// WebAssembly kernels) or on the server (POST /api/train, followed through server-sent events),
// draws the loss and accuracy curves, stops the run, hands each new model to the page (a page
// run's bytes, a server run's checkpoint) and offers a page run's metrics log and checkpoint as
// downloads.

import { parseTrainRequest } from "../train/request.js";
import { cssColor, CATEGORICAL } from "../viz/colormap.js";
import { startTraining, stopTraining, trainEvents, type CheckpointEntry } from "./api.js";
import { PageRun, type RunEvent } from "./page-training.js";
import { el, lineChart } from "./render.js";

const PRESETS: Record<string, Record<string, unknown>> = {
  "lenet5-sparse": { model: "lenet5", c3: "sparse" },
  "lenet5-full": { model: "lenet5", c3: "full" },
  "logreg-logistic": { model: "logreg", loss: "logistic" },
  "logreg-sum-of-squares": { model: "logreg", loss: "sum-of-squares" },
};

export interface TrainTabHooks {
  /** A server run saved a checkpoint (it is in the registry now). */
  onCheckpoint(c: CheckpointEntry): void;
  /** A page run's model, after an epoch or a stop: `name` is the file name it downloads as. */
  onPageModel(bytes: Uint8Array, name: string, info: Record<string, string>): void;
}

export class TrainTab {
  private readonly form = document.getElementById("train-form") as HTMLFormElement;
  private readonly startButton = document.getElementById("train-start") as HTMLButtonElement;
  private readonly stopButton = document.getElementById("train-stop") as HTMLButtonElement;
  private readonly status = document.getElementById("train-status")!;
  private readonly log = document.getElementById("train-log")!;
  private readonly downloads = document.getElementById("train-downloads")!;
  private steps: [number, number][] = [];
  private trainAcc: [number, number][] = [];
  private testLoss: [number, number][] = [];
  private testAcc: [number, number][] = [];
  /** Whose run the curves show: the server's (its events) or this page's. */
  private source: "server" | "page" = "server";
  private serverRun = 0;
  private pageRun: PageRun | undefined;
  private pageRuns = 0;

  constructor(private readonly hooks: TrainTabHooks) {
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.start();
    });
    this.stopButton.addEventListener("click", () => {
      if (this.source === "page") this.pageRun?.stop();
      else stopTraining().catch((err: Error) => this.say(err.message));
      this.say("stopping after the current step…");
    });
    trainEvents((e) => {
      if (this.source !== "server") return;
      if (e.run !== this.serverRun) {
        this.serverRun = e.run;
        this.reset();
      }
      this.onEvent(e);
    });
    this.draw();
  }

  private request(): Record<string, unknown> {
    const f = new FormData(this.form);
    const body: Record<string, unknown> = { ...PRESETS[String(f.get("preset"))] };
    for (const key of ["epochs", "limit", "lr", "batchSize"]) {
      const v = String(f.get(key) ?? "").trim();
      if (v !== "") body[key] = Number(v);
    }
    return body;
  }

  private async start(): Promise<void> {
    const inPage = new FormData(this.form).get("where") === "page";
    try {
      if (!inPage) {
        this.source = "server"; // its events arrive through trainEvents, maybe before the reply
        await startTraining(this.request());
        return;
      }
      const request = parseTrainRequest(this.request()); // the server's defaults and checks
      this.source = "page";
      this.reset();
      const run = ++this.pageRuns;
      this.pageRun = new PageRun(run, request, (e) => {
        if (this.source === "page" && e.run === run) this.onEvent(e);
      });
    } catch (e) {
      this.say((e as Error).message); // e.g. 409: a run is already in progress; 400: a bad field
    }
  }

  private onEvent(e: RunEvent): void {
    switch (e.type) {
      case "queued":
        this.running(true);
        this.say("loading the data…");
        break;
      case "kernels":
        this.line(`training in this page: ${e.backend} kernels, ${e.threads} thread${e.threads > 1 ? "s" : ""}`);
        break;
      case "start":
        this.running(true);
        this.line(e.description);
        break;
      case "step": {
        const x = e.epoch - 1 + e.step / e.steps;
        this.steps.push([x, e.loss]);
        this.say(`epoch ${e.epoch}, step ${e.step}/${e.steps}, loss ${e.loss.toFixed(4)}, ${e.imagesPerSecond.toFixed(0)} images/s`);
        if (e.accuracy !== undefined) this.trainAcc.push([x, e.accuracy]);
        break;
      }
      case "epoch":
        this.testLoss.push([e.epoch, e.testLoss]);
        this.testAcc.push([e.epoch, e.testAccuracy]);
        this.line(`epoch ${e.epoch}/${e.epochs}: train loss ${e.trainLoss.toFixed(4)}, test loss ${e.testLoss.toFixed(4)}, test accuracy ${(100 * e.testAccuracy).toFixed(2)}% (${e.seconds.toFixed(1)} s)`);
        break;
      case "checkpoint":
        this.line(`saved ${e.checkpoint.name}`);
        this.hooks.onCheckpoint(e.checkpoint);
        break;
      case "model":
        this.modelArrived(e.bytes, e.info);
        break;
      case "finished":
        this.running(false);
        this.say(`run ${e.run} ${e.outcome}: ${e.message}`);
        this.line(`${e.outcome}: ${e.message}`);
        if (this.source === "page") this.offerDownloads();
        break;
    }
    this.draw();
  }

  /** A page run's checkpoint: to the Draw tab at once, and the downloads brought up to date. */
  private modelArrived(bytes: Uint8Array, info: Record<string, string>): void {
    const name = `${this.pageRun!.stem}.safetensors`;
    this.line(`epoch ${info.stoppedInEpoch ? `${info.stoppedInEpoch} (stopped)` : info.epoch}: the model is in the Draw tab`);
    this.hooks.onPageModel(bytes, name, info);
    this.offerDownloads();
  }

  /** Links to the page run's files, named as the server would name them (page-<model>-<time>-<run>). */
  private offerDownloads(): void {
    const run = this.pageRun;
    if (!run) return;
    const link = (id: string, parts: BlobPart[], type: string, name: string) => {
      const a = document.getElementById(id) as HTMLAnchorElement;
      if (a.href.startsWith("blob:")) URL.revokeObjectURL(a.href);
      a.href = URL.createObjectURL(new Blob(parts, { type }));
      a.download = name;
    };
    link("download-metrics", run.metrics.map((l) => l + "\n"), "application/jsonl", `${run.stem}.metrics.jsonl`);
    if (run.checkpoint) link("download-checkpoint", [run.checkpoint as BlobPart], "application/octet-stream", `${run.stem}.safetensors`);
    (document.getElementById("download-checkpoint") as HTMLElement).hidden = !run.checkpoint;
    this.downloads.hidden = false;
  }

  private reset(): void {
    this.steps = [];
    this.trainAcc = [];
    this.testLoss = [];
    this.testAcc = [];
    this.log.replaceChildren();
    this.downloads.hidden = true;
  }

  private draw(): void {
    const c = (i: number) => cssColor(CATEGORICAL[i]);
    // One test point per epoch: marked, so that a one-epoch run's single point shows.
    lineChart(document.getElementById("loss-chart") as HTMLCanvasElement, [
      { name: "train loss (batch)", color: c(0), points: this.steps },
      { name: "test loss (epoch)", color: c(1), points: this.testLoss, markers: true },
    ], "epoch", "loss");
    lineChart(document.getElementById("acc-chart") as HTMLCanvasElement, [
      { name: "train accuracy", color: c(0), points: this.trainAcc },
      { name: "test accuracy", color: c(1), points: this.testAcc, markers: true },
    ], "epoch", "accuracy", [0, 1]);
  }

  private running(on: boolean): void {
    this.startButton.disabled = on;
    this.stopButton.disabled = !on;
  }

  private say(text: string): void {
    this.status.textContent = text;
  }

  private line(text: string): void {
    this.log.append(el("li", "", text));
    this.log.scrollTop = this.log.scrollHeight;
  }
}
