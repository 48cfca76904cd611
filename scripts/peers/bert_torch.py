"""BERT-shaped encoder training throughput on PyTorch CPU (fp32), the peer of bench/bert.bench.ts.

Model: Hugging Face's BertForMaskedLM layout written plainly (torch 1.13, no transformers): word +
position + token-type embeddings → LayerNorm, post-norm layers (q/k/v, scores/√d + the additive
(1 − mask)·finfo.min padding mask, softmax, output dense + residual LayerNorm, exact-erf GELU FFN +
residual LayerNorm), MLM transform (dense → GELU → LayerNorm) and the decoder tied to the word
embeddings with its own bias; dropout 0. AdamW lr 1e-4. Data: random ids, row i real for
64 + (37·i mod 65) tokens (the rest padding), MLM labels on 15% of the real tokens — the same batch
shape and padding as the loom rows.

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 scripts/peers/bert_torch.py --threads 2

Prints per-step times and one JSON line at the end (real and padded tokens/s, median step).
"""
import argparse, json, math, resource, statistics, time

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--steps", type=int, default=5, help="timed steps")
p.add_argument("--warmup", type=int, default=1)
p.add_argument("--layers", type=int, default=4)
p.add_argument("--hidden", type=int, default=256)
p.add_argument("--heads", type=int, default=4)
p.add_argument("--vocab", type=int, default=4096)
p.add_argument("--seq", type=int, default=128)
p.add_argument("--batch", type=int, default=16)
a = p.parse_args()

import torch
import torch.nn as nn
import torch.nn.functional as F
from threadpoolctl import threadpool_limits

torch.set_num_threads(a.threads)
_lim = threadpool_limits(limits=a.threads)
torch.manual_seed(0)
C, H, L, V, T, B = a.hidden, a.heads, a.layers, a.vocab, a.seq, a.batch
FF = 4 * C
EPS = 1e-12


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value, self.attn_out = (nn.Linear(C, C) for _ in range(4))
        self.ln1 = nn.LayerNorm(C, eps=EPS)
        self.inter = nn.Linear(C, FF)
        self.out = nn.Linear(FF, C)
        self.ln2 = nn.LayerNorm(C, eps=EPS)

    def forward(self, x, ext):
        Bx, Tx, _ = x.shape
        split = lambda t: t.view(Bx, Tx, H, C // H).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(C // H) + ext, dim=-1)
        ctx = (probs @ v).transpose(1, 2).reshape(Bx, Tx, C)
        a_ = self.ln1(self.attn_out(ctx) + x)
        return self.ln2(self.out(F.gelu(self.inter(a_))) + a_)


class BertMLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(V, C, padding_idx=0)
        self.pos = nn.Embedding(T, C)
        self.token_type = nn.Embedding(2, C)
        self.ln = nn.LayerNorm(C, eps=EPS)
        self.layers = nn.ModuleList([Layer() for _ in range(L)])
        self.transform = nn.Linear(C, C)
        self.transform_ln = nn.LayerNorm(C, eps=EPS)
        self.bias = nn.Parameter(torch.zeros(V))
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids, mask, types, labels):
        x = self.word(ids) + self.token_type(types) + self.pos(torch.arange(ids.shape[1]))
        x = self.ln(x)
        ext = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, ext)
        h = self.transform_ln(F.gelu(self.transform(x)))
        logits = h @ self.word.weight.T + self.bias
        return F.cross_entropy(logits.view(-1, V), labels.view(-1), ignore_index=-100)


g = torch.Generator().manual_seed(1)
lengths = [64 + (37 * i) % 65 for i in range(B)]
mask = torch.tensor([[1 if t < n else 0 for t in range(T)] for n in lengths])
ids = torch.randint(1, V, (B, T), generator=g) * mask
types = torch.zeros(B, T, dtype=torch.long)
chosen = (torch.rand(B, T, generator=g) < 0.15) & mask.bool()
labels = torch.where(chosen, torch.randint(1, V, (B, T), generator=g), torch.full((B, T), -100))

model = BertMLM()
model.train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
times, losses = [], []
for i in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    loss = model(ids, mask, types, labels)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    losses.append(loss.item())
    dt = time.perf_counter() - t0
    if i >= a.warmup:
        times.append(dt)

real = int(mask.sum())
med = statistics.median(times)
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"torch {torch.__version__} bert-mlm L={L} C={C} H={H} V={V} B={B} T={T} real tokens {real}/{B * T} threads={a.threads}")
print("step ms: " + " ".join(f"{t * 1000:.1f}" for t in times))
print(json.dumps({"torch": torch.__version__, "real_tokens": real, "padded_tokens": B * T, "tok_s_median": real / med,
                  "padded_tok_s_median": B * T / med, "step_ms_median": med * 1000, "n_steps": len(times), "ru_maxrss_mib": rss_mb,
                  "loss_first": losses[0], "loss_last": losses[-1]}))
