// torchlet.data: datasets, transforms and the DataLoader (torch.utils.data + torchvision).

export { parseIdx, encodeIdx, isGzip, type IdxArray } from "./idx.js";
export { readIdx, findIdxFile } from "./idx-files.js";
export { TensorDataset, Subset, MappedLabels, filterLabels, mapLabels, type Dataset, type Sample, type FilterLabelsOptions } from "./dataset.js";
export { collate } from "./collate.js";
export { IdxImageDataset, type IdxImageOptions } from "./idx-dataset.js";
export { MNIST, FashionMNIST, FASHION_MNIST_ROOT, type MNISTOptions, type FashionMNISTOptions } from "./mnist.js";
export { toTensor, normalize, resize, Resize, compose, type Transform } from "./transforms.js";
export { DataLoader, type DataLoaderOptions, type DataLoaderState } from "./dataloader.js";
/** torchvision.transforms: toTensor, normalize, resize, compose. */
export * as transforms from "./transforms.js";
