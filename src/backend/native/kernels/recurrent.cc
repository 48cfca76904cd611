// Fused recurrent cells, one time step for the whole batch, compiled once per instruction set
// (LOOM_ISA); equations, gate order and outputs are reference/recurrent.ts's (PyTorch's LSTM, GRU and
// RNN; LSTM peepholes after Gers & Schmidhuber 2000, the coupled input-forget gate after Greff et al.
// 2017). Each loop runs along one gate block of a batch row, so it vectorises; a step is [B, H] small
// enough to stay on the calling thread.
#include "kernels.h"
#include "vmath.h"

namespace loom {
namespace LOOM_ISA {

void lstm_forward(float* h, float* c, float* gates, float* tanh_c, const float* xg, const float* hg, const float* c_prev,
                  const float* peephole, bool coupled, long batch, long hidden) {
  const long H = hidden, G = coupled ? 3 : 4;
  // gate blocks (i, f, g, o) within a row and peephole blocks (i, f, o); no i when coupled
  const long oi = coupled ? -1 : 0, of = coupled ? 0 : H, og = coupled ? H : 2 * H, oo = coupled ? 2 * H : 3 * H;
  const long pi = coupled ? -1 : 0, pf = coupled ? 0 : H, po = coupled ? H : 2 * H;
  for (long b = 0; b < batch; b++) {
    const long row = b * G * H, hr = b * H;
    const float* x = xg + row;
    const float* r = hg + row;
    float* gt = gates + row;
    const float* cp = c_prev + hr;
    for (long j = 0; j < H; j++) {
      float f_pre = x[of + j] + r[of + j];
      if (peephole) f_pre += peephole[pf + j] * cp[j];
      const float f = sigmoid_f(f_pre);
      float i;
      if (coupled) {
        i = 1.0f - f;
      } else {
        float i_pre = x[oi + j] + r[oi + j];
        if (peephole) i_pre += peephole[pi + j] * cp[j];
        i = sigmoid_f(i_pre);
        gt[oi + j] = i;
      }
      const float g = tanh_f(x[og + j] + r[og + j]);
      const float c_new = f * cp[j] + i * g;
      float o_pre = x[oo + j] + r[oo + j];
      if (peephole) o_pre += peephole[po + j] * c_new;
      const float o = sigmoid_f(o_pre);
      const float tc = tanh_f(c_new);
      gt[of + j] = f;
      gt[og + j] = g;
      gt[oo + j] = o;
      c[hr + j] = c_new;
      tanh_c[hr + j] = tc;
      h[hr + j] = o * tc;
    }
  }
}

void lstm_backward(float* d_pre, float* dc_prev, float* d_peephole, const float* dh, const float* dc, const float* gates,
                   const float* c_prev, const float* c, const float* tanh_c, const float* peephole, bool coupled, long batch, long hidden) {
  const long H = hidden, G = coupled ? 3 : 4;
  const long oi = coupled ? -1 : 0, of = coupled ? 0 : H, og = coupled ? H : 2 * H, oo = coupled ? 2 * H : 3 * H;
  const long pi = coupled ? -1 : 0, pf = coupled ? 0 : H, po = coupled ? H : 2 * H;
  for (long b = 0; b < batch; b++) {
    const long row = b * G * H, hr = b * H;
    const float* gt = gates + row;
    float* dp = d_pre + row;
    for (long j = 0; j < H; j++) {
      const float f = gt[of + j];
      const float i = coupled ? 1.0f - f : gt[oi + j];
      const float g = gt[og + j], o = gt[oo + j];
      const float tc = tanh_c[hr + j], cp = c_prev[hr + j], dhj = dh[hr + j];
      const float do_pre = dhj * tc * o * (1.0f - o);
      float dc_total = (dc ? dc[hr + j] : 0.0f) + dhj * o * (1.0f - tc * tc);
      if (peephole) dc_total += do_pre * peephole[po + j];
      const float dg_pre = dc_total * i * (1.0f - g * g);
      const float df_pre = dc_total * (coupled ? cp - g : cp) * f * (1.0f - f);
      float dcp = dc_total * f;
      if (!coupled) {
        const float di_pre = dc_total * g * i * (1.0f - i);
        dp[oi + j] = di_pre;
        if (peephole) {
          dcp += di_pre * peephole[pi + j];
          if (d_peephole) d_peephole[pi + j] += di_pre * cp;
        }
      }
      if (peephole) {
        dcp += df_pre * peephole[pf + j];
        if (d_peephole) {
          d_peephole[pf + j] += df_pre * cp;
          d_peephole[po + j] += do_pre * c[hr + j];
        }
      }
      dp[of + j] = df_pre;
      dp[og + j] = dg_pre;
      dp[oo + j] = do_pre;
      dc_prev[hr + j] = dcp;
    }
  }
}

void gru_forward(float* h, float* gates, const float* xg, const float* hg, const float* h_prev, long batch, long hidden) {
  const long H = hidden;
  for (long b = 0; b < batch; b++) {
    const long row = b * 3 * H, hr = b * H;
    const float* x = xg + row;
    const float* r_ = hg + row;
    float* gt = gates + row;
    for (long j = 0; j < H; j++) {
      const float r = sigmoid_f(x[j] + r_[j]);
      const float z = sigmoid_f(x[H + j] + r_[H + j]);
      const float n = tanh_f(x[2 * H + j] + r * r_[2 * H + j]);
      gt[j] = r;
      gt[H + j] = z;
      gt[2 * H + j] = n;
      h[hr + j] = (1.0f - z) * n + z * h_prev[hr + j];
    }
  }
}

void gru_backward(float* dxg, float* dhg, float* dh_prev, const float* dh, const float* gates, const float* hg, const float* h_prev,
                  long batch, long hidden) {
  const long H = hidden;
  for (long b = 0; b < batch; b++) {
    const long row = b * 3 * H, hr = b * H;
    const float* gt = gates + row;
    for (long j = 0; j < H; j++) {
      const float r = gt[j], z = gt[H + j], n = gt[2 * H + j];
      const float dhj = dh[hr + j];
      const float dn_pre = dhj * (1.0f - z) * (1.0f - n * n);
      const float dz_pre = dhj * (h_prev[hr + j] - n) * z * (1.0f - z);
      const float dr_pre = dn_pre * hg[row + 2 * H + j] * r * (1.0f - r);
      dxg[row + j] = dr_pre;
      dxg[row + H + j] = dz_pre;
      dxg[row + 2 * H + j] = dn_pre;
      dhg[row + j] = dr_pre;
      dhg[row + H + j] = dz_pre;
      dhg[row + 2 * H + j] = dn_pre * r;
      dh_prev[hr + j] = dhj * z;
    }
  }
}

void rnn_forward(float* h, const float* xg, const float* hg, bool relu, long n) {
  if (relu) for (long i = 0; i < n; i++) {
    const float v = xg[i] + hg[i];
    h[i] = !(v <= 0.0f) ? v : 0.0f;  // NaN passes through, as Math.max(0, NaN)
  }
  else for (long i = 0; i < n; i++) h[i] = tanh_f(xg[i] + hg[i]);
}

void rnn_backward(float* d_pre, const float* dh, const float* h, bool relu, long n) {
  if (relu) for (long i = 0; i < n; i++) d_pre[i] = h[i] > 0.0f ? dh[i] : 0.0f;
  else for (long i = 0; i < n; i++) d_pre[i] = dh[i] * (1.0f - h[i] * h[i]);
}

}  // namespace LOOM_ISA
}  // namespace loom
