#!/usr/bin/python3
"""PyTorch peer for bench/lstm.bench.ts: the same LSTM training step, tokens per second.

2-layer torch.nn.LSTM, hidden 256, input 256, batch 32, sequence 128, MSE loss against a fixed random
target, forward + backward + AdamW step; median of the timed steps after one warm-up.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/peers/lstm_torch.py --threads 1
"""
import argparse
import statistics
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--seq", type=int, default=128)
parser.add_argument("--repeats", type=int, default=5)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

layers, hidden, batch, inp = 2, 256, 32, 256
lstm = torch.nn.LSTM(inp, hidden, num_layers=layers)
opt = torch.optim.AdamW(lstm.parameters(), lr=1e-3)
x = torch.randn(args.seq, batch, inp)
target = torch.randn(args.seq, batch, hidden)


def step():
    out, _ = lstm(x)
    loss = torch.nn.functional.mse_loss(out, target)
    opt.zero_grad()
    loss.backward()
    opt.step()


step()
times = []
for _ in range(args.repeats):
    t0 = time.perf_counter()
    step()
    times.append(time.perf_counter() - t0)
tokens = args.seq * batch
print(f"torch {torch.__version__}, {args.threads} thread(s): LSTM {layers}x{hidden}, batch {batch}, sequence {args.seq}: "
      f"{tokens / statistics.median(times):.0f} tokens/s (median of {args.repeats} steps, {statistics.median(times) * 1000:.1f} ms/step)")
