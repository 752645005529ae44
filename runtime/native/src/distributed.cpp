// Data-parallel communication on PyTorch's distributed engine, c10d: a TCP store rendezvous,
// a process group over gloo (CPU) or NCCL (CUDA, where the libtorch has it), and the
// collectives a data-parallel trainer needs (bucketed all-reduce, broadcast, barrier).
//
// - Every collective waits on its Work with the group's timeout, so a peer that died or hangs
//   becomes an error (-1 + message), never a wait without end.
// - Lists of tensors are bucketed: grouped by (device, dtype), packed into flat buffers of at
//   most bucket_bytes, one collective per buffer (all launched before the first wait), and
//   copied back; a bucket holding one contiguous tensor is reduced in place without a copy.
// - Average = sum, then divide by the world size (gloo has no ReduceOp AVG).
// - The group is an opaque handle, freed with resnetgen_dist_free.
//
// Built with RESNETGEN_HAVE_GLOO / RESNETGEN_HAVE_NCCL when distributed.cmake found the backends in this
// libtorch; without them the calls are still there and say clearly what is missing.
#include "distributed_internal.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#if defined(RESNETGEN_HAVE_GLOO)
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if defined(RESNETGEN_HAVE_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace {

bool backend_compiled(const std::string& name) {
#if defined(RESNETGEN_HAVE_GLOO)
  if (name == "gloo") return true;
#endif
#if defined(RESNETGEN_HAVE_NCCL)
  if (name == "nccl") return true;
#endif
  (void)name;
  return false;
}

std::string compiled_backends() {
  std::string list;
#if defined(RESNETGEN_HAVE_GLOO)
  list += "gloo";
#endif
#if defined(RESNETGEN_HAVE_NCCL)
  if (!list.empty()) list += ", ";
  list += "nccl";
#endif
  return list.empty() ? "none" : list;
}

// Reduce op codes shared with the managed side (ResNetGen.Distributed.ReduceOp).
enum class Op { Sum = 0, Average = 1, Product = 2, Min = 3, Max = 4 };

}  // namespace

#if defined(RESNETGEN_HAVE_C10D)

using namespace shim::dist;

namespace {

template <class PG>
struct BackendOf final : Backend {
  explicit BackendOf(c10::intrusive_ptr<PG> pg) : pg(std::move(pg)) {}
  WorkPtr allreduce(std::vector<at::Tensor>& t, const c10d::AllreduceOptions& o) override { return pg->allreduce(t, o); }
  WorkPtr broadcast(std::vector<at::Tensor>& t, const c10d::BroadcastOptions& o) override { return pg->broadcast(t, o); }
  WorkPtr barrier(const c10d::BarrierOptions& o) override { return pg->barrier(o); }
  c10::intrusive_ptr<PG> pg;
};

#if defined(RESNETGEN_HAVE_NCCL)
struct NcclBackend final : Backend {
  explicit NcclBackend(c10::intrusive_ptr<c10d::ProcessGroupNCCL> pg) : pg(std::move(pg)) {}
  WorkPtr allreduce(std::vector<at::Tensor>& t, const c10d::AllreduceOptions& o) override { return pg->allreduce(t, o); }
  WorkPtr broadcast(std::vector<at::Tensor>& t, const c10d::BroadcastOptions& o) override { return pg->broadcast(t, o); }
  WorkPtr barrier(const c10d::BarrierOptions& o) override { return pg->barrier(o); }
  void shutdown() override {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    pg->shutdown();  // 2.4+ warns when a NCCL group is destructed without it
#endif
  }
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> pg;
};
#endif

std::string seconds(Ms ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g s", ms.count() / 1000.0);  // 1800 s, not 1.8e+03 s
  return text;
}

// What a failure most likely means, for the message.
std::string hint(const std::string& message) {
  auto has = [&](const char* s) { return message.find(s) != std::string::npos; };
  // gloo says "Timed out waiting ..." for a late collective, but "Application timeout caused pair closure"
  // when the timeout fires while a peer's pair is still open (seen under load): both mean no answer.
  if (has("timed out") || has("Timed out") || has("Timeout") || has("timeout"))
    return "no answer from the other ranks within the timeout (a rank hangs, died, or called a different collective): ";
  if (has("Connection reset") || has("Connection closed") || has("Broken pipe") || has("Connection refused"))
    return "another rank closed its connection (it exited or crashed): ";
  return "";
}

}  // namespace

Group& shim::dist::G(Group* g) {
  if (g == nullptr) throw std::invalid_argument("null process group handle");
  if (!g->backend) throw std::invalid_argument("the process group has been destroyed");
  return *g;
}

void shim::dist::fail(const Group& g, const char* what, const std::string& message) {
  throw std::runtime_error(std::string(what) + " failed (" + g.where() + ", timeout " + seconds(g.timeout) + "): " +
                           hint(message) + message);
}

void shim::dist::wait(Group& g, const WorkPtr& work, const char* what) {
  try {
    if (!work->wait(g.timeout)) throw std::runtime_error("the operation was aborted");
  } catch (const c10::Error& e) {
    fail(g, what, e.what_without_backtrace());
  } catch (const std::exception& e) {
    fail(g, what, e.what());
  }
}

namespace {

std::vector<at::Tensor> tensor_list(resnetgen_tensor* tensors, int count) {
  if (count < 0 || (count > 0 && tensors == nullptr)) throw std::invalid_argument("bad tensor list");
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; i++) {
    const auto& t = shim::T(tensors[i], "tensor");
    if (!t.defined()) throw std::invalid_argument("tensor " + std::to_string(i) + " is undefined");
    if (t.is_sparse()) throw std::invalid_argument("tensor " + std::to_string(i) + " is sparse; only dense tensors are supported");
    list.push_back(t);
  }
  return list;
}

// One flat buffer of tensors sharing device and dtype.
struct Bucket {
  std::vector<size_t> members;
  int64_t bytes = 0;
  at::Tensor buffer;  // the tensor itself (in place) or a packed copy
  bool packed = false;
};

std::vector<Bucket> make_buckets(const std::vector<at::Tensor>& list, int64_t bucket_bytes) {
  // Group by (device, dtype) in order of first appearance; split each group by size.
  std::vector<std::pair<std::string, std::vector<size_t>>> groups;
  for (size_t i = 0; i < list.size(); i++) {
    const auto key = list[i].device().str() + "/" + std::string(c10::toString(list[i].scalar_type()));
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
    if (it == groups.end()) groups.push_back({key, {i}});
    else it->second.push_back(i);
  }
  std::vector<Bucket> buckets;
  for (const auto& group : groups) {
    Bucket current;
    for (auto i : group.second) {
      if (list[i].numel() == 0) continue;  // nothing to send (the same on every rank)
      const int64_t bytes = list[i].numel() * static_cast<int64_t>(list[i].element_size());
      if (!current.members.empty() && bucket_bytes > 0 && current.bytes + bytes > bucket_bytes) {
        buckets.push_back(std::move(current));
        current = Bucket();
      }
      current.members.push_back(i);
      current.bytes += bytes;
    }
    if (!current.members.empty()) buckets.push_back(std::move(current));
  }
  for (auto& b : buckets) {
    const auto& first = list[b.members[0]];
    if (b.members.size() == 1 && first.is_contiguous()) {
      b.buffer = first;
    } else {
      std::vector<at::Tensor> flat;
      flat.reserve(b.members.size());
      for (auto i : b.members) flat.push_back(list[i].reshape({-1}));
      b.buffer = at::cat(flat);
      b.packed = true;
    }
  }
  return buckets;
}

void unpack(const std::vector<at::Tensor>& list, const Bucket& b) {
  if (!b.packed) return;
  int64_t offset = 0;
  for (auto i : b.members) {
    const auto n = list[i].numel();
    list[i].copy_(b.buffer.narrow(0, offset, n).view(list[i].sizes()));
    offset += n;
  }
}

c10d::ReduceOp reduce_op(Op op) {
  switch (op) {
    case Op::Sum:
    case Op::Average: return c10d::ReduceOp::SUM;
    case Op::Product: return c10d::ReduceOp::PRODUCT;
    case Op::Min: return c10d::ReduceOp::MIN;
    case Op::Max: return c10d::ReduceOp::MAX;
  }
  throw std::invalid_argument("unknown reduce op");
}

}  // namespace

// A store-based barrier after the rendezvous (as torch.distributed's): every rank counts
// itself in, then waits until all have, within the timeout. A rank that never comes is then
// reported as such on every rank, not as a timeout deep inside the backend's setup.
static void joined(Group& g, const std::string& host, int port) {
  const std::string key = "resnetgen/joined";
  const auto deadline = std::chrono::steady_clock::now() + g.timeout;
  try {
    auto count = g.store->add(key, 1);
    auto pause = Ms(1);
    while (count < g.size) {
      if (std::chrono::steady_clock::now() >= deadline)
        throw std::runtime_error("timed out waiting for the other ranks to join: " + std::to_string(count) + " of " +
                                 std::to_string(g.size) + " joined");
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, Ms(50));
      count = g.store->add(key, 0);
    }
  } catch (const std::exception& e) {
    const char* message = e.what();
    if (auto c = dynamic_cast<const c10::Error*>(&e)) message = c->what_without_backtrace();
    throw std::runtime_error("rendezvous at " + host + ":" + std::to_string(port) + " failed (rank " + std::to_string(g.rank) +
                             " of " + std::to_string(g.size) + ", timeout " + seconds(g.timeout) + "): " + message);
  }
}

#endif

// 1 when this shim was built with the named backend ("gloo", "nccl").
RESNETGEN_API int resnetgen_dist_backend_available(const char* backend, int* out) {
  RESNETGEN_BEGIN
  if (backend == nullptr || out == nullptr) throw std::invalid_argument("null argument");
  *out = backend_compiled(backend) ? 1 : 0;
  RESNETGEN_END
}

// The comma-separated list of backends built in ("gloo, nccl", "gloo", "none").
RESNETGEN_API int resnetgen_dist_backends(const char** out) {
  RESNETGEN_BEGIN
  if (out == nullptr) throw std::invalid_argument("null output pointer");
  static const std::string list = compiled_backends();
  *out = list.c_str();
  RESNETGEN_END
}

// Rendezvous through a TCP store (rank 0 hosts it at master_addr:master_port, the others
// connect to it) and creates the process group. timeout_ms bounds the rendezvous and every
// collective. gloo_ifname (optional) picks the gloo network interface, as GLOO_SOCKET_IFNAME.
RESNETGEN_API int resnetgen_dist_init(const char* backend, const char* master_addr, int master_port, int rank, int world_size,
                                      int64_t timeout_ms, const char* gloo_ifname, resnetgen_dist_group* out) {
  RESNETGEN_BEGIN
  if (out == nullptr) throw std::invalid_argument("null output pointer");
  *out = nullptr;
  (void)gloo_ifname;  // gloo only
  if (backend == nullptr || master_addr == nullptr) throw std::invalid_argument("null backend or master address");
  const std::string name = backend;
  if (name != "gloo" && name != "nccl")
    throw std::invalid_argument("unknown backend '" + name + "' (expected gloo or nccl)");
  if (!backend_compiled(name))
    throw std::runtime_error("backend '" + name + "' is not available in this build of the shim (libtorch " +
                             TORCH_VERSION + "; built-in backends: " + compiled_backends() +
                             (name == "nccl" ? "). NCCL needs a CUDA libtorch with c10d's NCCL support and nccl.h at build time"
                                             : ")"));
  if (world_size < 1) throw std::invalid_argument("world size must be at least 1, got " + std::to_string(world_size));
  if (rank < 0 || rank >= world_size)
    throw std::invalid_argument("rank " + std::to_string(rank) + " is out of range for world size " + std::to_string(world_size));
  if (master_port < 1 || master_port > 65535) throw std::invalid_argument("master port must be in 1..65535, got " + std::to_string(master_port));
  if (timeout_ms <= 0) throw std::invalid_argument("timeout must be positive");
#if defined(RESNETGEN_HAVE_C10D)
  auto group = std::make_unique<Group>();
  group->backend_name = name;
  group->rank = rank;
  group->size = world_size;
  group->timeout = Ms(timeout_ms);

  const std::string host = master_addr;
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<std::uint16_t>(master_port);
  opts.isServer = rank == 0;
  opts.numWorkers = static_cast<std::size_t>(world_size);
  opts.waitWorkers = false;  // joined() below waits, with a clearer message
  opts.timeout = group->timeout;
  try {
    group->store = c10::make_intrusive<c10d::TCPStore>(host, opts);
  } catch (const c10::Error& e) {
    throw std::runtime_error("rendezvous at " + host + ":" + std::to_string(master_port) + " failed (rank " +
                             std::to_string(rank) + " of " + std::to_string(world_size) + ", " +
                             (rank == 0 ? "hosting the TCP store" : "connecting to rank 0's TCP store") + ", timeout " +
                             seconds(group->timeout) + "): " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw std::runtime_error("rendezvous at " + host + ":" + std::to_string(master_port) + " failed (rank " +
                             std::to_string(rank) + " of " + std::to_string(world_size) + ", " +
                             (rank == 0 ? "hosting the TCP store" : "connecting to rank 0's TCP store") + ", timeout " +
                             seconds(group->timeout) + "): " + e.what());
  }

  joined(*group, host, master_port);

  try {
    if (name == "gloo") {
#if defined(RESNETGEN_HAVE_GLOO)
      auto options = c10d::ProcessGroupGloo::Options::create(group->timeout);
      const bool loopback = host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
      if (gloo_ifname != nullptr && *gloo_ifname != '\0')
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(gloo_ifname));
      else if (loopback)
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host == "localhost" ? "127.0.0.1" : host));
      else
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      options->threads = static_cast<int>(options->devices.size()) * 2;  // as torch.distributed does
      auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(group->store, rank, world_size, options);
      group->backend = std::make_unique<BackendOf<c10d::ProcessGroupGloo>>(std::move(pg));
#endif
    } else {
#if defined(RESNETGEN_HAVE_NCCL)
      // Blocking wait: Work::wait then honours the timeout and throws (rather than NCCL's
      // watchdog tearing the process down later). Read by ProcessGroupNCCL's constructor; a
      // value the user set wins.
      ::setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);  // libtorch 2.2+
      ::setenv("NCCL_BLOCKING_WAIT", "1", 0);        // older names
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = group->timeout;
      auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(group->store, rank, world_size, options);
      group->backend = std::make_unique<NcclBackend>(std::move(pg));
#endif
    }
  } catch (const c10::Error& e) {
    throw std::runtime_error("creating the " + group->where() + " process group failed (timeout " +
                             seconds(group->timeout) + "): " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw std::runtime_error("creating the " + group->where() + " process group failed (timeout " +
                             seconds(group->timeout) + "): " + e.what());
  }
  if (!group->backend) throw std::runtime_error("backend '" + name + "' was not created");
  *out = group.release();
#else
  throw std::runtime_error("this libtorch has no c10d");
#endif
  RESNETGEN_END
}

// Destroys the group: shuts the backend down, then drops it and the store (rank 0's store
// server stops with it). Safe after a failed collective. Null is a no-op.
RESNETGEN_API int resnetgen_dist_free(resnetgen_dist_group g) {
  RESNETGEN_BEGIN
  if (g == nullptr) return 0;
  std::unique_ptr<resnetgen_dist_group_s> owned(g);
#if defined(RESNETGEN_HAVE_C10D)
  if (owned->backend) {
    try {
      owned->backend->shutdown();
    } catch (...) {
      // destroying anyway
    }
    owned->backend.reset();
  }
  owned->store.reset();
#endif
  RESNETGEN_END
}

// In-place all-reduce of a list of tensors (any mix of shapes, dtypes, devices), bucketed into
// flat buffers of at most bucket_bytes (<= 0: one bucket per device and dtype).
// op: 0 sum, 1 average (sum / world size; floating types only), 2 product, 3 min, 4 max.
RESNETGEN_API int resnetgen_dist_all_reduce(resnetgen_dist_group g, resnetgen_tensor* tensors, int count, int op, int64_t bucket_bytes) {
  RESNETGEN_BEGIN
#if defined(RESNETGEN_HAVE_C10D)
  auto& group = G(g);
  if (op < 0 || op > 4) throw std::invalid_argument("unknown reduce op " + std::to_string(op));
  const auto reduce = static_cast<Op>(op);
  auto list = tensor_list(tensors, count);
  if (list.empty()) return 0;
  if (reduce == Op::Average)
    for (size_t i = 0; i < list.size(); i++)
      if (!at::isFloatingType(list[i].scalar_type()))
        throw std::invalid_argument("all_reduce average needs floating-point tensors; tensor " + std::to_string(i) +
                                    " is " + c10::toString(list[i].scalar_type()));
  at::NoGradGuard no_grad;
  auto buckets = make_buckets(list, bucket_bytes);
  c10d::AllreduceOptions opts;
  opts.reduceOp = reduce_op(reduce);
  opts.timeout = group.timeout;
  std::vector<WorkPtr> works;
  works.reserve(buckets.size());
  for (auto& b : buckets) {
    std::vector<at::Tensor> one{b.buffer};
    works.push_back(group.backend->allreduce(one, opts));
  }
  for (size_t i = 0; i < works.size(); i++) {
    wait(group, works[i], "all_reduce");
    auto& b = buckets[i];
    if (reduce == Op::Average && group.size > 1) b.buffer.div_(group.size);
    unpack(list, b);
  }
#else
  (void)g; (void)tensors; (void)count; (void)op; (void)bucket_bytes;
  throw std::runtime_error("this libtorch has no c10d");
#endif
  RESNETGEN_END
}

// In-place broadcast of a list of tensors from root (bucketed like all-reduce).
RESNETGEN_API int resnetgen_dist_broadcast(resnetgen_dist_group g, resnetgen_tensor* tensors, int count, int root, int64_t bucket_bytes) {
  RESNETGEN_BEGIN
#if defined(RESNETGEN_HAVE_C10D)
  auto& group = G(g);
  if (root < 0 || root >= group.size)
    throw std::invalid_argument("broadcast root " + std::to_string(root) + " is out of range for world size " + std::to_string(group.size));
  auto list = tensor_list(tensors, count);
  if (list.empty()) return 0;
  at::NoGradGuard no_grad;
  auto buckets = make_buckets(list, bucket_bytes);
  c10d::BroadcastOptions opts;
  opts.rootRank = root;
  opts.rootTensor = 0;
  opts.timeout = group.timeout;
  std::vector<WorkPtr> works;
  works.reserve(buckets.size());
  for (auto& b : buckets) {
    std::vector<at::Tensor> one{b.buffer};
    works.push_back(group.backend->broadcast(one, opts));
  }
  for (size_t i = 0; i < works.size(); i++) {
    wait(group, works[i], "broadcast");
    if (group.rank != root) unpack(list, buckets[i]);
  }
#else
  (void)g; (void)tensors; (void)count; (void)root; (void)bucket_bytes;
  throw std::runtime_error("this libtorch has no c10d");
#endif
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_dist_barrier(resnetgen_dist_group g) {
  RESNETGEN_BEGIN
#if defined(RESNETGEN_HAVE_C10D)
  auto& group = G(g);
  c10d::BarrierOptions opts;
  opts.timeout = group.timeout;
  wait(group, group.backend->barrier(opts), "barrier");
#else
  (void)g;
  throw std::runtime_error("this libtorch has no c10d");
#endif
  RESNETGEN_END
}

// torch.randperm(n, generator=torch.Generator().manual_seed(seed)): the permutation PyTorch's
// DistributedSampler draws for an epoch (seed + epoch), so shards match PyTorch's exactly.
RESNETGEN_API int resnetgen_dist_randperm(int64_t n, uint64_t seed, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  if (n < 0) throw std::invalid_argument("n must be non-negative");
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  shim::put(out, at::randperm(n, gen, at::TensorOptions().dtype(at::kLong)));
  RESNETGEN_END
}

// ---- Gradient reducer: the all-reduce overlapped with backward, as DDP's Reducer ----------
//
// The parameters are split into buckets in reverse registration order (the last layers' grads
// are ready first in backward). A post hook on each parameter's grad accumulator marks it
// ready and copies its grad into its bucket's flat buffer; when a bucket is complete, its
// all-reduce (sum) is launched at once, asynchronously, while backward goes on. Buckets are
// launched strictly in order, so every rank issues the same collectives in the same order even
// if their grads become ready in a different order. finish() launches what backward left
// (parameters that got no grad contribute zeros, so every rank reduces the same buffers),
// waits with the group's timeout, divides by the world size and writes param.grad.
//
//   resnetgen_dist_reducer_new(group, params, count, bucket_bytes, &r)
//   per step: resnetgen_dist_reducer_prepare(r); backward; resnetgen_dist_reducer_finish(r)
//   resnetgen_dist_reducer_free(r)   (the group must outlive the reducer)

#if defined(RESNETGEN_HAVE_C10D)

#include <mutex>
#include <unordered_set>

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

namespace {

// DDP's first bucket is small (1 MiB) so the first all-reduce starts as early as possible.
constexpr int64_t kFirstBucketBytes = 1024 * 1024;
constexpr size_t kNoBucket = static_cast<size_t>(-1);

struct GradBucket {
  std::vector<size_t> params;    // indexes into ReducerState::params
  std::vector<int64_t> offsets;  // each one's first element in buffer
  int64_t numel = 0;
  at::Tensor buffer;             // flat; one device and dtype
  size_t pending = 0;            // parameters not ready yet in this backward
  WorkPtr work;                  // the launched all-reduce, until finish waits for it
};

struct ReducerState {
  Group* group = nullptr;  // not owned: the managed side keeps the group alive
  std::vector<at::Tensor> params;
  // The variable holds its grad accumulator weakly; holding it here keeps our hook on it.
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
  std::vector<size_t> bucket_of;  // kNoBucket: an empty parameter (nothing to send)
  std::vector<size_t> slot_of;    // its place in that bucket
  std::vector<GradBucket> buckets;

  // Hooks run on the autograd engine's threads (one per device on CUDA): all below under mutex.
  std::mutex mutex;
  bool armed = false;        // hooks do nothing unless prepare() armed them
  std::vector<char> ready;   // per parameter, in this backward
  size_t next_launch = 0;    // buckets launch in order
  std::string error;         // the first failure inside a hook, reported by finish

  at::Tensor slot(const GradBucket& b, size_t k) const {
    const auto& p = params[b.params[k]];
    return b.buffer.narrow(0, b.offsets[k], p.numel()).view(p.sizes());
  }

  void launch_ready() {
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      auto& b = buckets[next_launch++];
      c10d::AllreduceOptions opts;
      opts.reduceOp = c10d::ReduceOp::SUM;
      opts.timeout = group->timeout;
      std::vector<at::Tensor> one{b.buffer};
      try {
        b.work = group->backend->allreduce(one, opts);  // async: waited for in finish()
      } catch (const c10::Error& e) {
        fail(*group, "all_reduce", e.what_without_backtrace());
      } catch (const std::exception& e) {
        fail(*group, "all_reduce", e.what());
      }
    }
  }

  // The grad accumulator of parameter i has run: its grad is final for this backward.
  void mark_ready(size_t i) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!armed || !error.empty() || bucket_of[i] == kNoBucket) return;
    // A hook must never throw into the autograd engine: failures wait for finish().
    try {
      if (ready[i])
        throw std::runtime_error("gradient reducer: parameter " + std::to_string(i) +
                                 " got a gradient twice in one backward pass (call Prepare before every backward)");
      ready[i] = 1;
      at::NoGradGuard no_grad;
      auto& b = buckets[bucket_of[i]];
      const auto k = slot_of[i];
      const auto& grad = params[i].grad();
      if (grad.defined()) slot(b, k).copy_(grad);
      else slot(b, k).zero_();
      if (--b.pending == 0) launch_ready();
    } catch (const c10::Error& e) {
      error = e.what_without_backtrace();
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "gradient reducer: unknown failure in a backward hook";
    }
  }
};

struct ReadyHook final : torch::autograd::FunctionPostHook {
  ReadyHook(std::weak_ptr<ReducerState> state, size_t index) : state(std::move(state)), index(index) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list& /*inputs*/) override {
    // Weak: the hook stays on the accumulator after the reducer is freed, and then does nothing.
    if (auto s = state.lock()) s->mark_ready(index);
    return outputs;
  }
  std::weak_ptr<ReducerState> state;
  size_t index;
};

}  // namespace

struct resnetgen_dist_reducer_s {
  std::shared_ptr<ReducerState> state;
};

#else

struct resnetgen_dist_reducer_s {};

#endif

typedef resnetgen_dist_reducer_s* resnetgen_dist_reducer;

// A reducer for these parameters (leaves that require grad, in registration order), in
// buckets of at most bucket_bytes (<= 0: one bucket per device and dtype).
RESNETGEN_API int resnetgen_dist_reducer_new(resnetgen_dist_group g, resnetgen_tensor* params, int count, int64_t bucket_bytes,
                                             resnetgen_dist_reducer* out) {
  RESNETGEN_BEGIN
  if (out == nullptr) throw std::invalid_argument("null output pointer");
  *out = nullptr;
#if defined(RESNETGEN_HAVE_C10D)
  auto& group = G(g);
  auto state = std::make_shared<ReducerState>();
  state->group = &group;
  state->params = tensor_list(params, count);
  std::unordered_set<const void*> seen;
  for (size_t i = 0; i < state->params.size(); i++) {
    const auto& p = state->params[i];
    if (!p.requires_grad() || !p.is_leaf())
      throw std::invalid_argument("parameter " + std::to_string(i) + " is not a leaf that requires grad");
    if (!at::isFloatingType(p.scalar_type()))
      throw std::invalid_argument("parameter " + std::to_string(i) + " is " + c10::toString(p.scalar_type()) +
                                  "; gradients can only be averaged in floating point");
    if (!seen.insert(p.unsafeGetTensorImpl()).second)
      throw std::invalid_argument("parameter " + std::to_string(i) + " is listed twice");
  }

  // Reverse registration order, one open bucket per (device, dtype); each key's first bucket
  // is capped at 1 MiB (its all-reduce then starts early), the next ones at bucket_bytes.
  struct Open {
    size_t bucket;
    int64_t bytes, cap;
  };
  std::map<std::string, Open> open;
  const auto n = state->params.size();
  state->bucket_of.assign(n, kNoBucket);
  state->slot_of.assign(n, 0);
  for (size_t i = n; i-- > 0;) {
    const auto& p = state->params[i];
    if (p.numel() == 0) continue;  // nothing to send (the same on every rank)
    const auto key = p.device().str() + "/" + c10::toString(p.scalar_type());
    const int64_t bytes = p.numel() * static_cast<int64_t>(p.element_size());
    auto it = open.find(key);
    const bool full = it != open.end() && bucket_bytes > 0 && it->second.bytes > 0 && it->second.bytes + bytes > it->second.cap;
    if (it == open.end() || full) {
      const int64_t cap = it == open.end() ? std::min(kFirstBucketBytes, bucket_bytes) : bucket_bytes;
      state->buckets.emplace_back();
      it = open.insert_or_assign(key, Open{state->buckets.size() - 1, 0, cap}).first;
    }
    auto& b = state->buckets[it->second.bucket];
    state->slot_of[i] = b.params.size();
    b.params.push_back(i);
    b.offsets.push_back(b.numel);
    b.numel += p.numel();
    it->second.bytes += bytes;
    state->bucket_of[i] = it->second.bucket;
  }
  for (auto& b : state->buckets) {
    const auto& p = state->params[b.params[0]];
    b.buffer = at::zeros({b.numel}, at::TensorOptions().dtype(p.scalar_type()).device(p.device()));
  }
  state->ready.assign(n, 0);

  for (size_t i = 0; i < n; i++) {
    auto acc = torch::autograd::impl::grad_accumulator(state->params[i]);
    if (!acc) throw std::invalid_argument("parameter " + std::to_string(i) + " has no grad accumulator");
    acc->add_post_hook(std::make_unique<ReadyHook>(std::weak_ptr<ReducerState>(state), i));
    state->accumulators.push_back(std::move(acc));
  }
  *out = new resnetgen_dist_reducer_s{std::move(state)};
#else
  (void)g; (void)params; (void)count; (void)bucket_bytes;
  throw std::runtime_error("this libtorch has no c10d");
#endif
  RESNETGEN_END
}

// Arms the hooks for the next backward pass (and forgets the last one's state).
RESNETGEN_API int resnetgen_dist_reducer_prepare(resnetgen_dist_reducer r) {
  RESNETGEN_BEGIN
  if (r == nullptr) throw std::invalid_argument("null reducer handle");
#if defined(RESNETGEN_HAVE_C10D)
  auto& s = *r->state;
  std::lock_guard<std::mutex> lock(s.mutex);
  for (auto& b : s.buckets) {
    // Left over from a failed step: the collective may still use that buffer, so take a new one.
    if (b.work) b.buffer = at::zeros_like(b.buffer);
    b.work.reset();
    b.pending = b.params.size();
  }
  std::fill(s.ready.begin(), s.ready.end(), 0);
  s.next_launch = 0;
  s.error.clear();
  s.armed = true;
#endif
  RESNETGEN_END
}

// After backward: launches the buckets not launched yet (a parameter without a gradient sends
// zeros), waits for every all-reduce with the group's timeout, and writes the averaged
// gradients into param.grad. A failure inside a hook during backward is reported here.
RESNETGEN_API int resnetgen_dist_reducer_finish(resnetgen_dist_reducer r) {
  RESNETGEN_BEGIN
  if (r == nullptr) throw std::invalid_argument("null reducer handle");
#if defined(RESNETGEN_HAVE_C10D)
  auto& s = *r->state;
  auto& group = G(s.group);
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.armed) throw std::logic_error("gradient reducer: finish without prepare before the backward pass");
  s.armed = false;
  if (!s.error.empty()) throw std::runtime_error(s.error);
  at::NoGradGuard no_grad;
  for (auto& b : s.buckets) {
    for (size_t k = 0; k < b.params.size(); k++) {
      if (s.ready[b.params[k]]) continue;
      s.slot(b, k).zero_();  // unused in this forward: zeros, as every rank must send the same buffers
      s.ready[b.params[k]] = 1;
      b.pending--;
    }
  }
  s.launch_ready();
  for (auto& b : s.buckets) {
    wait(group, b.work, "all_reduce");
    b.work.reset();
    if (group.size > 1) b.buffer.div_(group.size);
    for (size_t k = 0; k < b.params.size(); k++) {
      auto& p = s.params[b.params[k]];
      auto& grad = p.mutable_grad();
      if (grad.defined()) grad.copy_(s.slot(b, k));
      else grad = at::empty_like(p).copy_(s.slot(b, k));  // strides like the parameter, as autograd makes them
    }
  }
  for (auto& p : s.params)
    if (p.numel() == 0 && !p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
#endif
  RESNETGEN_END
}

// Frees the reducer; its hooks stay on the accumulators but do nothing any more. Null is a no-op.
RESNETGEN_API int resnetgen_dist_reducer_free(resnetgen_dist_reducer r) {
  RESNETGEN_BEGIN
  delete r;
  RESNETGEN_END
}
