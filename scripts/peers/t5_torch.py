#!/usr/bin/python3
"""T5 (Hugging Face's T5ForConditionalGeneration layout) training throughput on PyTorch CPU (fp32), the
peer of bench/t5.bench.ts. `transformers` is not installed here, so the model is written out from its
documented layout: shared embedding; per stack, pre-norm blocks of RMS-norm (no mean, no bias) +
bias-free q/k/v/o attention without the 1/sqrt(D) factor, block 0's relative position bias (bucketed,
bidirectional in the encoder, causal in the decoder) added in every block; decoder cross-attention;
relu feed-forward wi -> relu -> wo; final norms; lm_head tied to `shared` with the d_model^-0.5 scale.
AdamW lr 1e-3, dropout 0, random ids (throughput only).

  /usr/bin/python3 scripts/peers/t5_torch.py --threads 2 --steps 8 --warmup 2

Prints per-step times and one JSON line at the end (tokens counted: encoder + decoder tokens per step;
the process's CPU time per timed step too, all threads, since the machine may be shared).
"""
import argparse
import json
import math
import resource
import statistics
import time

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--steps", type=int, default=8, help="timed steps")
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--vocab", type=int, default=2048)
p.add_argument("--d-model", type=int, default=256)
p.add_argument("--d-kv", type=int, default=64)
p.add_argument("--d-ff", type=int, default=1024)
p.add_argument("--heads", type=int, default=4)
p.add_argument("--layers", type=int, default=4)
p.add_argument("--src-len", type=int, default=64)
p.add_argument("--tgt-len", type=int, default=64)
p.add_argument("--batch", type=int, default=16)
a = p.parse_args()

import torch
import torch.nn as nn
import torch.nn.functional as F
from threadpoolctl import threadpool_limits

torch.set_num_threads(a.threads)
_limits = threadpool_limits(limits=a.threads)
torch.manual_seed(0)

BUCKETS, MAX_DISTANCE = 32, 128


def bucket(relative, bidirectional):
    n_buckets = BUCKETS
    out = torch.zeros_like(relative)
    if bidirectional:
        n_buckets //= 2
        out += (relative > 0).long() * n_buckets
        n = relative.abs()
    else:
        n = (-relative).clamp(min=0)
    exact = n_buckets // 2
    large = exact + (torch.log(n.float().clamp(min=1) / exact) / math.log(MAX_DISTANCE / exact) * (n_buckets - exact)).long()
    large = large.clamp(max=n_buckets - 1)
    return out + torch.where(n < exact, n, large)


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class Attention(nn.Module):
    def __init__(self, relative_bias):
        super().__init__()
        inner = a.heads * a.d_kv
        self.q = nn.Linear(a.d_model, inner, bias=False)
        self.k = nn.Linear(a.d_model, inner, bias=False)
        self.v = nn.Linear(a.d_model, inner, bias=False)
        self.o = nn.Linear(inner, a.d_model, bias=False)
        self.relative_attention_bias = nn.Embedding(BUCKETS, a.heads) if relative_bias else None

    def forward(self, x, kv, bias):
        B, T, _ = x.shape
        S = kv.shape[1]
        q = self.q(x).view(B, T, a.heads, a.d_kv).transpose(1, 2)
        k = self.k(kv).view(B, S, a.heads, a.d_kv).transpose(1, 2)
        v = self.v(kv).view(B, S, a.heads, a.d_kv).transpose(1, 2)
        scores = q @ k.transpose(-1, -2)  # no 1/sqrt(D) in T5
        if bias is not None:
            scores = scores + bias
        y = F.softmax(scores, dim=-1) @ v
        return self.o(y.transpose(1, 2).reshape(B, T, a.heads * a.d_kv))


class Block(nn.Module):
    def __init__(self, decoder, first):
        super().__init__()
        self.decoder = decoder
        self.self_norm = RMSNorm(a.d_model)
        self.self_attn = Attention(first)
        if decoder:
            self.cross_norm = RMSNorm(a.d_model)
            self.cross_attn = Attention(False)
        self.ff_norm = RMSNorm(a.d_model)
        self.wi = nn.Linear(a.d_model, a.d_ff, bias=False)
        self.wo = nn.Linear(a.d_ff, a.d_model, bias=False)

    def forward(self, x, bias, memory=None):
        h = self.self_norm(x)
        x = x + self.self_attn(h, h, bias)
        if self.decoder:
            x = x + self.cross_attn(self.cross_norm(x), memory, None)
        return x + self.wo(F.relu(self.wi(self.ff_norm(x))))


class Stack(nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder
        self.block = nn.ModuleList([Block(decoder, i == 0) for i in range(a.layers)])
        self.final_layer_norm = RMSNorm(a.d_model)

    def forward(self, x, memory=None):
        T = x.shape[1]
        rel = torch.arange(T)[None, :] - torch.arange(T)[:, None]
        bias = self.block[0].self_attn.relative_attention_bias(bucket(rel, not self.decoder)).permute(2, 0, 1)[None]
        if self.decoder:
            bias = bias + torch.triu(torch.full((T, T), float("-inf")), 1)
        for blk in self.block:
            x = blk(x, bias, memory)
        return self.final_layer_norm(x)


class T5(nn.Module):
    def __init__(self):
        super().__init__()
        self.shared = nn.Embedding(a.vocab, a.d_model)
        self.encoder = Stack(False)
        self.decoder = Stack(True)

    def forward(self, src, dec, labels):
        memory = self.encoder(self.shared(src))
        hidden = self.decoder(self.shared(dec), memory)
        logits = (hidden * a.d_model ** -0.5) @ self.shared.weight.T
        return F.cross_entropy(logits.reshape(-1, a.vocab), labels.reshape(-1))


model = T5()
# transformers' T5 initialisation (initializer_factor 1), as loom's.
with torch.no_grad():
    nn.init.normal_(model.shared.weight, 0.0, 1.0)
    inner = a.heads * a.d_kv
    for name, p_ in model.named_parameters():
        std = {"q.weight": (a.d_model * a.d_kv) ** -0.5, "k.weight": a.d_model ** -0.5, "v.weight": a.d_model ** -0.5,
               "o.weight": inner ** -0.5, "wi.weight": a.d_model ** -0.5, "wo.weight": a.d_ff ** -0.5,
               "relative_attention_bias.weight": a.d_model ** -0.5}.get(".".join(name.split(".")[-2:]))
        if std is not None:
            nn.init.normal_(p_, 0.0, std)
n_params = sum(p_.numel() for p_ in model.parameters())
g = torch.Generator().manual_seed(1)
src = torch.randint(2, a.vocab, (a.batch, a.src_len), generator=g)
labels = torch.randint(2, a.vocab, (a.batch, a.tgt_len), generator=g)
dec = torch.cat([torch.zeros(a.batch, 1, dtype=torch.long), labels[:, :-1]], 1)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
model.train()
times, cpu_times, losses = [], [], []
for i in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    c0 = time.process_time()
    loss = model(src, dec, labels)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    losses.append(loss.item())
    dt = time.perf_counter() - t0
    if i >= a.warmup:
        times.append(dt)
        cpu_times.append(time.process_time() - c0)
tokens = a.batch * (a.src_len + a.tgt_len)
med = statistics.median(times)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"torch {torch.__version__} T5 params={n_params} B={a.batch} S={a.src_len} T={a.tgt_len} threads={a.threads}")
print("step ms: " + " ".join(f"{t * 1000:.1f}" for t in times))
print(f"loss first {losses[0]:.4f} last {losses[-1]:.4f}")
print(json.dumps({"torch": torch.__version__, "params": n_params, "tok_s_median": tokens / med, "step_ms_median": med * 1000,
                  "cpu_ms_per_step": statistics.mean(cpu_times) * 1000, "n_steps": len(times), "ru_maxrss_mib": rss}))
