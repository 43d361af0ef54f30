"""The PyTorch side of the 30-minute ResNet-20 race (Scripts/race-resnet20.sh): PruneKit's recipe for networks with
batch norm, reproduced in plain PyTorch on the same CIFAR-10 files.

Usage: python pytorch_train_cifar.py --data-dir DIR --epochs N [--model resnet20_A] [--batch 64] [--lr 0.1]
                                     [--threads 2] [--memory-format channels_last] [--seed 1] [--models-dir DIR]
                                     [--train-limit N] [--test-limit N]   (the first N images only, for a quick check)
DIR holds the CIFAR-10 binary batches (data_batch_1..5.bin[.gz], test_batch.bin[.gz]), as PruneKit reads them.
The recipe is TrainConfig.recommended for batch-norm families (README, "Training recipes"):
  SGD momentum 0.9, batch 64 (the last partial batch kept), lr 0.1 x (1 + cos(pi t / T)) / 2 over all T iterations,
  times (t + 1) / iterations-per-epoch during the first epoch; label smoothing 0.1; weight decay 5e-4 on conv and
  linear weights, 0 on batch-norm parameters and biases; random crop from a 4-pixel zero-padded image (padding
  applied to the bytes, before normalisation) and horizontal flip; normalisation by CIFAR-10's channel mean and
  standard deviation; evaluation averaging the logits of each test image and its mirror image.
Prints one line per epoch and a final JSON line: epochs, test accuracy, wall seconds (data loading included),
training img/s.
PyTorch is an optional comparison tool; PruneKit never imports it.
"""
import argparse, gzip, json, math, os, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--data-dir", required=True); ap.add_argument("--epochs", type=int, required=True)
ap.add_argument("--model", default="resnet20_A"); ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--lr", type=float, default=0.1); ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--memory-format", choices=["contiguous", "channels_last"], default="channels_last")
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--train-limit", type=int, default=0); ap.add_argument("--test-limit", type=int, default=0)
ap.add_argument("--models-dir", default=os.path.join(os.path.dirname(__file__), "../../shared/perf"))
args = ap.parse_args()
sys.path.insert(0, os.path.abspath(args.models_dir))
import numpy as np  # noqa: E402
import torch, torch.nn as nn, torch.nn.functional as F  # noqa: E402
import models as M  # noqa: E402

start = time.time()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
generator = torch.Generator().manual_seed(args.seed)


def read_batches(names):
    images, labels = [], []
    for name in names:
        path = os.path.join(args.data_dir, name)
        path = path if os.path.exists(path) else path + ".gz"
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            records = np.frombuffer(f.read(), dtype=np.uint8)
        if records.size % 3073:
            sys.exit(f"{path}: expected 3073-byte records (label + 3x32x32), found {records.size} bytes")
        records = records.reshape(-1, 3073)
        labels.append(torch.from_numpy(records[:, 0].astype(np.int64)))
        images.append(torch.from_numpy(records[:, 1:].reshape(-1, 3, 32, 32).copy()))
    return torch.cat(images), torch.cat(labels)


train_x, train_y = read_batches([f"data_batch_{i}.bin" for i in range(1, 6)])
test_x, test_y = read_batches(["test_batch.bin"])
if args.train_limit: train_x, train_y = train_x[:args.train_limit], train_y[:args.train_limit]
if args.test_limit: test_x, test_y = test_x[:args.test_limit], test_y[:args.test_limit]
mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1) * 255
std = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1) * 255
memory_format = torch.channels_last if args.memory_format == "channels_last" else torch.contiguous_format


def normalised(bytes_batch):
    return ((bytes_batch.float() - mean) / std).contiguous(memory_format=memory_format)


def augmented(bytes_batch):
    n = bytes_batch.shape[0]
    padded = F.pad(bytes_batch, (4, 4, 4, 4))
    offsets = torch.randint(0, 9, (n, 2), generator=generator)
    flips = torch.rand(n, generator=generator) < 0.5
    out = torch.empty_like(bytes_batch)
    for i in range(n):
        dy, dx = int(offsets[i, 0]), int(offsets[i, 1])
        crop = padded[i, :, dy:dy + 32, dx:dx + 32]
        out[i] = crop.flip(2) if flips[i] else crop
    return out


model = M.MODELS[args.model][0]().to(memory_format=memory_format)
decay = [p for p in model.parameters() if p.dim() > 1]
no_decay = [p for p in model.parameters() if p.dim() <= 1]
optimizer = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}],
                            lr=args.lr, momentum=0.9)
loss_function = nn.CrossEntropyLoss(label_smoothing=0.1)
per_epoch = math.ceil(train_x.shape[0] / args.batch)
total = per_epoch * args.epochs


def rate(t):
    value = args.lr * 0.5 * (1 + math.cos(math.pi * t / total))
    return value * (t + 1) / per_epoch if t < per_epoch else value


def evaluate():
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, test_x.shape[0], 500):
            x = normalised(test_x[i:i + 500])
            logits = (model(x) + model(x.flip(3))) / 2
            correct += int((logits.argmax(1) == test_y[i:i + 500]).sum())
    model.train()
    return correct / test_x.shape[0]


t, train_seconds = 0, 0.0
for epoch in range(args.epochs):
    order = torch.randperm(train_x.shape[0], generator=generator)
    epoch_start, seen, correct = time.time(), 0, 0
    for b in range(per_epoch):
        index = order[b * args.batch:(b + 1) * args.batch]
        x, y = normalised(augmented(train_x[index])), train_y[index]
        for group in optimizer.param_groups:
            group["lr"] = rate(t)
        optimizer.zero_grad(set_to_none=True)
        logits = model(x)
        loss = loss_function(logits, y)
        loss.backward()
        optimizer.step()
        t += 1
        seen += y.shape[0]
        correct += int((logits.argmax(1) == y).sum())
    seconds = time.time() - epoch_start
    train_seconds += seconds
    print(f"epoch {epoch + 1}/{args.epochs} loss {loss.item():.4f} train acc {100 * correct / seen:.2f}% "
          f"{seen / seconds:.1f} img/s, {time.time() - start:.0f} s", file=sys.stderr, flush=True)
accuracy = evaluate()
print(json.dumps({"model": args.model, "epochs": args.epochs, "testAccuracy": accuracy, "wallSeconds": time.time() - start,
                  "trainImagesPerSecond": train_x.shape[0] * args.epochs / train_seconds, "torch": torch.__version__}))
