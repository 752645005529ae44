// Synchronized batch norm (PyTorch's nn.SyncBatchNorm): training-mode batch norm whose
// statistics cover every rank's batch, differentiable end to end.
//
// Built from differentiable ATen ops plus one custom autograd function, AllReduceSum: each
// rank writes (count, mean, M2) per channel into its row of a zero [world, 2C+1] tensor, the
// rows are summed over the ranks (an all-gather, as an all-reduce), and the ranks' moments are
// combined with the parallel-variance formula (no E[x²] - E[x]² cancellation). Autograd then
// gives each rank the gradient of the combined batch's loss with respect to its own inputs.
#include "distributed_internal.h"

#include <torch/csrc/autograd/custom_function.h>

#if defined(RESNETGEN_HAVE_C10D)

using namespace shim::dist;

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The graph's hold on the group: a copy that keeps its backend alive until the backward has
// run (a capsule is how saved_data keeps a non-tensor by reference count).
struct GroupRef final : torch::CustomClassHolder {
  explicit GroupRef(const Group& g) : group(g) {}
  Group group;
};

at::Tensor all_reduce_sum(Group& g, const at::Tensor& t, const char* what) {
  auto buffer = t.clone(at::MemoryFormat::Contiguous);  // never the caller's tensor, in place
  std::vector<at::Tensor> one{buffer};
  c10d::AllreduceOptions opts;
  opts.reduceOp = c10d::ReduceOp::SUM;
  opts.timeout = g.timeout;
  wait(g, g.backend->allreduce(one, opts), what);
  return buffer;
}

// y = Σ_ranks x; dL/dx = Σ_ranks dL/dy. Summing (not averaging) in backward: rank r's loss
// L_r depends on every rank's statistics, so the gradient reaching rank r's statistics must
// be d(Σ_r' L_r')/dy, the sum of what each rank received. Each rank's parameter gradients are
// then its share of d(Σ L_r)/dθ, and AverageGradients' sum / world size turns them into the
// gradient of the mean of the ranks' losses: the single-process gradient on the whole batch.
struct AllReduceSum : torch::autograd::Function<AllReduceSum> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& t, Group* g) {
    ctx->saved_data["group"] = c10::IValue::make_capsule(c10::make_intrusive<GroupRef>(*g));
    return all_reduce_sum(*g, t, "sync_batch_norm");
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto ref = ctx->saved_data["group"].toCapsule();
    auto& group = static_cast<GroupRef*>(ref.get())->group;
    // grads[0] is materialized (zeros when unused), so every rank takes part.
    return {all_reduce_sum(group, grads[0], "sync_batch_norm backward"), at::Tensor()};
  }
};

void check_channels(const at::Tensor& t, int64_t channels, const char* what) {
  if (t.defined() && t.numel() != channels)
    throw std::invalid_argument(std::string("sync_batch_norm: ") + what + " has " + std::to_string(t.numel()) +
                                " elements, expected one per channel (" + std::to_string(channels) + ")");
}

}  // namespace

#endif

// Training-mode batch norm over (N, C, ...) with the statistics of every rank's batch (the
// group's ranks must all call it, in the same order as their other collectives). Updates
// running_mean / running_var (when given) with the global mean and unbiased variance.
RESNETGEN_API int resnetgen_dist_sync_batch_norm(resnetgen_dist_group g, resnetgen_tensor input, resnetgen_tensor weight, resnetgen_tensor bias,
                                                 resnetgen_tensor running_mean, resnetgen_tensor running_var, double momentum, double eps,
                                                 resnetgen_tensor* out) {
  RESNETGEN_BEGIN
#if defined(RESNETGEN_HAVE_C10D)
  auto& group = G(g);
  const auto& x = shim::T(input, "input");
  if (x.dim() < 2) throw std::invalid_argument("sync_batch_norm expects an input (N, C, ...), got " + std::to_string(x.dim()) + " dimension(s)");
  const int64_t channels = x.size(1);
  if (channels == 0) throw std::invalid_argument("sync_batch_norm: the input has no channels");
  const auto w = shim::opt(weight), b = shim::opt(bias), rm = shim::opt(running_mean), rv = shim::opt(running_var);
  check_channels(w, channels, "weight");
  check_channels(b, channels, "bias");
  check_channels(rm, channels, "running_mean");
  check_channels(rv, channels, "running_var");

  // Statistics in float32 (float64 for float64 input); half/bfloat16 are upcast.
  const auto acc = x.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  const auto options = at::TensorOptions().dtype(acc).device(x.device());
  const auto xa = x.to(acc);
  std::vector<int64_t> dims{0}, shape(static_cast<size_t>(x.dim()), 1);
  for (int64_t d = 2; d < x.dim(); d++) dims.push_back(d);
  shape[1] = channels;

  // This rank's count, mean and M2 = Σ (x - mean)² per channel. An empty batch contributes
  // zeros that still hang off x, so this rank's backward all-reduce runs like the others'.
  const int64_t count = x.numel() / channels;
  at::Tensor mean_r, m2_r;
  if (count > 0) {
    auto var_mean = at::var_mean(xa, at::IntArrayRef(dims), /*unbiased=*/false, /*keepdim=*/false);
    mean_r = std::get<1>(var_mean);
    m2_r = std::get<0>(var_mean) * static_cast<double>(count);
  } else {
    mean_r = m2_r = xa.sum(dims);
  }
  auto row = at::cat({at::full({1}, static_cast<double>(count), options), mean_r, m2_r}).unsqueeze(0);
  auto rows = at::zeros({group.size, 2 * channels + 1}, options)
                  .index_copy(0, at::full({1}, group.rank, options.dtype(at::kLong)), row);
  auto all = AllReduceSum::apply(rows, &group);  // row r = rank r's statistics, on every rank

  auto counts = all.narrow(1, 0, 1), means = all.narrow(1, 1, channels), m2s = all.narrow(1, 1 + channels, channels);
  const double total = counts.sum().item<double>();
  if (total <= 1)
    throw std::invalid_argument("Expected more than 1 value per channel when training, got " +
                                std::to_string(static_cast<int64_t>(total)) + " over " + std::to_string(group.size) + " rank(s)");
  auto mean = (counts * means).sum(0) / total;
  auto var = (m2s + counts * (means - mean).square()).sum(0) / total;

  // y = (x - mean) * rsqrt(var + eps) * weight + bias, in x's dtype and memory format.
  auto scale = at::rsqrt(var + eps);
  if (w.defined()) scale = scale * w.to(acc);
  auto centered = xa - mean.view(shape);
  auto y = b.defined() ? at::addcmul(b.to(acc).view(shape), centered, scale.view(shape)) : centered * scale.view(shape);
  y = y.to(x.scalar_type()).contiguous(x.suggest_memory_format());

  if (rm.defined() || rv.defined()) {
    at::NoGradGuard no_grad;
    if (rm.defined()) rm.mul_(1 - momentum).add_(mean.detach().to(rm.scalar_type()), momentum);
    if (rv.defined()) rv.mul_(1 - momentum).add_((var.detach() * (total / (total - 1))).to(rv.scalar_type()), momentum);
  }
  shim::put(out, y);
#else
  (void)g; (void)input; (void)weight; (void)bias; (void)running_mean; (void)running_var; (void)momentum; (void)eps; (void)out;
  throw std::runtime_error("this libtorch has no c10d");
#endif
  RESNETGEN_END
}
