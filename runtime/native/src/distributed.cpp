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
// - The group is an opaque handle, freed with rng_dist_free.
//
// Built with RNG_HAVE_GLOO / RNG_HAVE_NCCL when distributed.cmake found the backends in this
// libtorch; without them the calls are still there and say clearly what is missing.
#include "distributed_internal.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#if defined(RNG_HAVE_GLOO)
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if defined(RNG_HAVE_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace {

bool backend_compiled(const std::string& name) {
#if defined(RNG_HAVE_GLOO)
  if (name == "gloo") return true;
#endif
#if defined(RNG_HAVE_NCCL)
  if (name == "nccl") return true;
#endif
  (void)name;
  return false;
}

std::string compiled_backends() {
  std::string list;
#if defined(RNG_HAVE_GLOO)
  list += "gloo";
#endif
#if defined(RNG_HAVE_NCCL)
  if (!list.empty()) list += ", ";
  list += "nccl";
#endif
  return list.empty() ? "none" : list;
}

// Reduce op codes shared with the managed side (ResNetGen.Distributed.ReduceOp).
enum class Op { Sum = 0, Average = 1, Product = 2, Min = 3, Max = 4 };

}  // namespace

#if defined(RNG_HAVE_C10D)

using namespace rng::dist;

namespace {

template <class PG>
struct BackendOf final : Backend {
  explicit BackendOf(c10::intrusive_ptr<PG> pg) : pg(std::move(pg)) {}
  WorkPtr allreduce(std::vector<at::Tensor>& t, const c10d::AllreduceOptions& o) override { return pg->allreduce(t, o); }
  WorkPtr broadcast(std::vector<at::Tensor>& t, const c10d::BroadcastOptions& o) override { return pg->broadcast(t, o); }
  WorkPtr barrier(const c10d::BarrierOptions& o) override { return pg->barrier(o); }
  c10::intrusive_ptr<PG> pg;
};

#if defined(RNG_HAVE_NCCL)
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
  std::snprintf(text, sizeof text, "%.3g s", ms.count() / 1000.0);
  return text;
}

// What a failure most likely means, for the message.
std::string hint(const std::string& message) {
  auto has = [&](const char* s) { return message.find(s) != std::string::npos; };
  if (has("timed out") || has("Timed out") || has("Timeout"))
    return "no answer from the other ranks within the timeout (a rank hangs, died, or called a different collective): ";
  if (has("Connection reset") || has("Connection closed") || has("Broken pipe") || has("Connection refused"))
    return "another rank closed its connection (it exited or crashed): ";
  return "";
}

}  // namespace

Group& rng::dist::G(Group* g) {
  if (g == nullptr) throw std::invalid_argument("null process group handle");
  if (!g->backend) throw std::invalid_argument("the process group has been destroyed");
  return *g;
}

void rng::dist::fail(const Group& g, const char* what, const std::string& message) {
  throw std::runtime_error(std::string(what) + " failed (" + g.where() + ", timeout " + seconds(g.timeout) + "): " +
                           hint(message) + message);
}

void rng::dist::wait(Group& g, const WorkPtr& work, const char* what) {
  try {
    if (!work->wait(g.timeout)) throw std::runtime_error("the operation was aborted");
  } catch (const c10::Error& e) {
    fail(g, what, e.what_without_backtrace());
  } catch (const std::exception& e) {
    fail(g, what, e.what());
  }
}

namespace {

std::vector<at::Tensor> tensor_list(rng_tensor* tensors, int count) {
  if (count < 0 || (count > 0 && tensors == nullptr)) throw std::invalid_argument("bad tensor list");
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; i++) {
    const auto& t = rng::T(tensors[i], "tensor");
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
RNG_API int rng_dist_backend_available(const char* backend, int* out) {
  RNG_BEGIN
  if (backend == nullptr || out == nullptr) throw std::invalid_argument("null argument");
  *out = backend_compiled(backend) ? 1 : 0;
  RNG_END
}

// The comma-separated list of backends built in ("gloo, nccl", "gloo", "none").
RNG_API int rng_dist_backends(const char** out) {
  RNG_BEGIN
  if (out == nullptr) throw std::invalid_argument("null output pointer");
  static const std::string list = compiled_backends();
  *out = list.c_str();
  RNG_END
}

// Rendezvous through a TCP store (rank 0 hosts it at master_addr:master_port, the others
// connect to it) and creates the process group. timeout_ms bounds the rendezvous and every
// collective. gloo_ifname (optional) picks the gloo network interface, as GLOO_SOCKET_IFNAME.
RNG_API int rng_dist_init(const char* backend, const char* master_addr, int master_port, int rank, int world_size,
                          int64_t timeout_ms, const char* gloo_ifname, rng_dist_group* out) {
  RNG_BEGIN
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
#if defined(RNG_HAVE_C10D)
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
#if defined(RNG_HAVE_GLOO)
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
#if defined(RNG_HAVE_NCCL)
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
  RNG_END
}

// Destroys the group: shuts the backend down, then drops it and the store (rank 0's store
// server stops with it). Safe after a failed collective. Null is a no-op.
RNG_API int rng_dist_free(rng_dist_group g) {
  RNG_BEGIN
  if (g == nullptr) return 0;
  std::unique_ptr<rng_dist_group_s> owned(g);
#if defined(RNG_HAVE_C10D)
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
  RNG_END
}

// In-place all-reduce of a list of tensors (any mix of shapes, dtypes, devices), bucketed into
// flat buffers of at most bucket_bytes (<= 0: one bucket per device and dtype).
// op: 0 sum, 1 average (sum / world size; floating types only), 2 product, 3 min, 4 max.
RNG_API int rng_dist_all_reduce(rng_dist_group g, rng_tensor* tensors, int count, int op, int64_t bucket_bytes) {
  RNG_BEGIN
#if defined(RNG_HAVE_C10D)
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
  RNG_END
}

// In-place broadcast of a list of tensors from root (bucketed like all-reduce).
RNG_API int rng_dist_broadcast(rng_dist_group g, rng_tensor* tensors, int count, int root, int64_t bucket_bytes) {
  RNG_BEGIN
#if defined(RNG_HAVE_C10D)
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
  RNG_END
}

RNG_API int rng_dist_barrier(rng_dist_group g) {
  RNG_BEGIN
#if defined(RNG_HAVE_C10D)
  auto& group = G(g);
  c10d::BarrierOptions opts;
  opts.timeout = group.timeout;
  wait(group, group.backend->barrier(opts), "barrier");
#else
  (void)g;
  throw std::runtime_error("this libtorch has no c10d");
#endif
  RNG_END
}

// torch.randperm(n, generator=torch.Generator().manual_seed(seed)): the permutation PyTorch's
// DistributedSampler draws for an epoch (seed + epoch), so shards match PyTorch's exactly.
RNG_API int rng_dist_randperm(int64_t n, uint64_t seed, rng_tensor* out) {
  RNG_BEGIN
  if (n < 0) throw std::invalid_argument("n must be non-negative");
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  rng::put(out, at::randperm(n, gen, at::TensorOptions().dtype(at::kLong)));
  RNG_END
}
