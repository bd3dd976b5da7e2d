// The course's networks by name, for `torchlet train <model>` and `torchlet summary <model>`:
// each entry builds a ready-to-train model (lazy layers created, d2l's init applied) for a
// square image of a given size, and says which size the seed trains it on.

import type { Module } from "../nn/module.js";
import { improvedLeNet, lectureLeNet, modernLeNet, d2lLeNet } from "./lenets.js";
import { nin } from "./nin.js";
import { d2lResnet18 } from "./resnet-d2l.js";
import { resnet18, resnet34, resnet50 } from "./resnet.js";
import { VGG11_ARCH, vgg } from "./vgg.js";

/** The options of buildModel. */
export interface ZooOptions {
  /** Outputs of the last layer (default 10). */
  numClasses?: number;
  /** Image channels: 1 for MNIST and Fashion-MNIST. */
  inChannels?: number;
  /** Side of the square input image; defaults to the entry's imageSize. */
  imageSize?: number;
  /** Divides the channel widths (the nets that take it); d2l trains VGG with 4. */
  widthDivisor?: number;
}

/** One network of the zoo: what it is, the image side it expects, how to build it. */
export interface ZooEntry {
  /** A one-line description for `torchlet train --list`. */
  description: string;
  /** The image side the seed uses (MNIST digits are resized or padded to it). */
  imageSize: number;
  /** Set when the network only fits this image side (a Linear sized for it). */
  fixedSize?: boolean;
  /** Whether widthDivisor applies. */
  narrowable?: boolean;
  build(o: Required<Omit<ZooOptions, "widthDivisor">> & { widthDivisor: number }): Module;
}

const shape = (o: { inChannels: number; imageSize: number }) => [1, o.inChannels, o.imageSize, o.imageSize];

/**
 * The networks `torchlet train` and buildModel know, by name.
 * @example Object.keys(models.MODEL_ZOO).includes("resnet18") // => true
 */
export const MODEL_ZOO: Readonly<Record<string, ZooEntry>> = {
  "lecture-lenet": { description: "the lecture's LeNet: conv5-ReLU-maxpool2 twice, fc 400-120-84-10", imageSize: 32, fixedSize: true, build: () => lectureLeNet() },
  "d2l-lenet": { description: "d2l 7.6 LeNet: sigmoid, average pooling, Xavier init", imageSize: 28, build: (o) => d2lLeNet({ numClasses: o.numClasses, inputShape: shape(o) }) },
  "modern-lenet": { description: "d2l 7.6 modern LeNet: ReLU, max pooling", imageSize: 28, fixedSize: true, build: () => modernLeNet() },
  "improved-lenet": { description: "d2l 7.6 improved LeNet: conv3 32/64/128, fc 1152-256-128-10", imageSize: 28, fixedSize: true, build: () => improvedLeNet() },
  vgg11: { description: "d2l 8.2 VGG-11 (narrow with widthDivisor 4, as d2l trains it)", imageSize: 224, narrowable: true, build: (o) => vgg(VGG11_ARCH, { ...o, inputShape: shape(o) }) },
  nin: { description: "d2l 8.3 Network in Network", imageSize: 224, narrowable: true, build: (o) => nin({ ...o, inputShape: shape(o) }) },
  "d2l-resnet18": { description: "d2l 8.6 ResNet-18", imageSize: 96, narrowable: true, build: (o) => d2lResnet18({ ...o, inputShape: shape(o) }) },
  resnet18: { description: "torchvision's ResNet-18", imageSize: 224, narrowable: true, build: (o) => resnet18(o) },
  resnet34: { description: "torchvision's ResNet-34", imageSize: 224, narrowable: true, build: (o) => resnet34(o) },
  resnet50: { description: "torchvision's ResNet-50 (Bottleneck blocks)", imageSize: 224, narrowable: true, build: (o) => resnet50(o) },
};

/**
 * Builds a zoo model; returns it with the input shape (batch 1) it expects.
 * @throws RangeError on an unknown name or an option the network does not take.
 * @example models.buildModel("modern-lenet").inputShape // => [1, 1, 28, 28]
 */
export function buildModel(name: string, options: ZooOptions = {}): { model: Module; inputShape: number[] } {
  const entry = MODEL_ZOO[name];
  if (!entry) throw new RangeError(`buildModel: unknown model "${name}" (expected one of ${Object.keys(MODEL_ZOO).join(", ")})`);
  const o = { numClasses: options.numClasses ?? 10, inChannels: options.inChannels ?? 1, imageSize: options.imageSize ?? entry.imageSize, widthDivisor: options.widthDivisor ?? 1 };
  if (entry.fixedSize && (o.imageSize !== entry.imageSize || o.inChannels !== 1 || o.numClasses !== 10)) {
    throw new RangeError(`buildModel: ${name} takes 1x${entry.imageSize}x${entry.imageSize} images and 10 classes only, got ${o.inChannels}x${o.imageSize}x${o.imageSize} and ${o.numClasses} classes`);
  }
  if (!entry.narrowable && o.widthDivisor !== 1) throw new RangeError(`buildModel: ${name} has no widthDivisor option (got ${o.widthDivisor})`);
  return { model: entry.build(o), inputShape: shape(o) };
}
