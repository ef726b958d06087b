# SPDX-License-Identifier: Apache-2.0
"""A bf16 MLP (784-128-10) on 4096 Fashion-MNIST images, trained with the
lpk optimizers: every mode lowers the loss; on a long run with a learning
rate so small that most updates fall below half a bf16 ulp of the weights,
round-to-nearest stalls while stochastic rounding and Kahan summation follow
fp32 master weights.  Skipped, with the reason, when the data set (Debian
dataset-fashion-mnist, or FMNIST_DIR) is absent."""
import gzip
import os

import numpy as np
import pytest
import torch

import lpk.optim as lo

MODES = ["nearest", "stochastic", "kahan", "fp32-master"] + (
    ["fp32-arith-nearest", "fp32-arith-stochastic", "fp32-arith-kahan"]
    if lo.HAS_FP32_ARITH else [])
N = 4096
BATCH = 128


@pytest.fixture(scope="module")
def data():
    d = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
    img = os.path.join(d, "train-images-idx3-ubyte.gz")
    lab = os.path.join(d, "train-labels-idx1-ubyte.gz")
    if not (os.path.exists(img) and os.path.exists(lab)):
        pytest.skip(f"Fashion-MNIST not found in {d} (apt-get install dataset-fashion-mnist, "
                    f"or set FMNIST_DIR): training tests NOT run")
    with gzip.open(img) as f:
        x = np.frombuffer(f.read(16 + N * 784), np.uint8, offset=16).reshape(N, 784)
    with gzip.open(lab) as f:
        y = np.frombuffer(f.read(8 + N), np.uint8, offset=8)
    X = torch.from_numpy(x.astype(np.float32) / 255).to(torch.bfloat16)
    return X, torch.from_numpy(y.astype(np.int64))


def mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                               torch.nn.Linear(128, 10)).to(torch.bfloat16)


def full_loss(model, X, Y):
    with torch.no_grad():
        return torch.nn.functional.cross_entropy(model(X).float(), Y).item()


def train(model, opt, X, Y, epochs):
    for _ in range(epochs):
        for i in range(0, N, BATCH):
            loss = torch.nn.functional.cross_entropy(model(X[i:i + BATCH]).float(), Y[i:i + BATCH])
            opt.zero_grad()
            loss.backward()
            opt.step()


def weight_loss(model, opt, X, Y):
    """The loss of the weights the optimizer holds: bf16 params, or for the
    Kahan modes w - comp (the pair's value, to about 16 bits)."""
    saved = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        for p in model.parameters():
            if "kahan_comp" in opt.state[p]:
                p.copy_(p.float() - opt.state[p]["kahan_comp"].float())
    loss = full_loss(model, X, Y)
    with torch.no_grad():
        for p, s in zip(model.parameters(), saved):
            p.copy_(s)
    return loss


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("opt_name", ["sgd", "adamw"])
def test_loss_decreases(data, mode, opt_name):
    X, Y = data
    model = mlp()
    if opt_name == "sgd":
        opt = lo.SGD(model.parameters(), lr=0.05, momentum=0.9, mode=mode, seed=1)
    else:
        opt = lo.AdamW(model.parameters(), lr=2e-3, mode=mode, seed=1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=2 * N // BATCH)
    before = full_loss(model, X, Y)
    for _ in range(2):
        for i in range(0, N, BATCH):
            loss = torch.nn.functional.cross_entropy(model(X[i:i + BATCH]).float(), Y[i:i + BATCH])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    after = full_loss(model, X, Y)
    assert after < 0.6 * before, f"{mode}: loss {before:.3f} -> {after:.3f}"


def test_small_lr_sr_and_kahan_beat_nearest(data):
    """Plain SGD, lr = 0.003, 320 steps: the updates lr * g (~1e-6..1e-4) are
    mostly below half a bf16 ulp of the weights (6e-5 at |w| ~ 0.03)."""
    X, Y = data
    losses = {}
    for mode in MODES:
        model = mlp()
        opt = lo.SGD(model.parameters(), lr=0.003, mode=mode, seed=1)
        train(model, opt, X, Y, epochs=10)
        losses[mode] = weight_loss(model, opt, X, Y)
    start = full_loss(mlp(), X, Y)
    print("start", start, losses)
    fp32 = losses["fp32-master"]
    assert start - fp32 > 0.3  # the fp32 baseline learns
    assert losses["nearest"] > fp32 + 0.25, losses  # round-to-nearest stalls
    for prefix in ["", "fp32-arith-"] if lo.HAS_FP32_ARITH else [""]:
        for mode in ["stochastic", "kahan"]:
            m = prefix + mode
            assert losses[m] < fp32 + 0.05, (m, losses)
            assert losses[m] < losses[prefix + "nearest"] - 0.2, (m, losses)
