// The process group's native state and the helpers every collective uses, shared by
// distributed.cpp (the group, the collectives) and sync_batch_norm.cpp. Both compile with
// distributed.cmake's definitions (RESNETGEN_HAVE_C10D, the backend macros) and without the PCH.
#pragma once
#include "shim_common.h"

#include <chrono>
#include <memory>

#if defined(RESNETGEN_HAVE_C10D)
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>

namespace shim::dist {

using Ms = std::chrono::milliseconds;
using WorkPtr = c10::intrusive_ptr<c10d::Work>;

// The backend, behind one small interface: ProcessGroupGloo/NCCL derive from ProcessGroup in
// libtorch 1.13 and from Backend in 2.x, but their collective signatures are the same.
struct Backend {
  virtual ~Backend() = default;
  virtual WorkPtr allreduce(std::vector<at::Tensor>& t, const c10d::AllreduceOptions& o) = 0;
  virtual WorkPtr broadcast(std::vector<at::Tensor>& t, const c10d::BroadcastOptions& o) = 0;
  virtual WorkPtr barrier(const c10d::BarrierOptions& o) = 0;
  virtual void shutdown() {}
};

}  // namespace shim::dist

// Copyable on purpose: an autograd graph that will all-reduce in its backward keeps a copy
// (and so the backend and store) alive, even if the group is freed before backward runs.
struct resnetgen_dist_group_s {
  std::string backend_name;
  int rank = 0;
  int size = 1;
  shim::dist::Ms timeout{0};
  c10::intrusive_ptr<c10d::Store> store;
  std::shared_ptr<shim::dist::Backend> backend;

  std::string where() const {
    return backend_name + " rank " + std::to_string(rank) + " of " + std::to_string(size);
  }
};

namespace shim::dist {

using Group = resnetgen_dist_group_s;

// The group behind a handle; a null or destroyed one is a bad argument.
Group& G(Group* g);

// Throws "<what> failed (gloo rank 0 of 2, timeout 10 s): <hint><message>".
[[noreturn]] void fail(const Group& g, const char* what, const std::string& message);

// Waits for one piece of work with the group's timeout; any failure names the operation.
void wait(Group& g, const WorkPtr& work, const char* what);

}  // namespace shim::dist

#else  // no c10d in this libtorch

struct resnetgen_dist_group_s {};

#endif

typedef resnetgen_dist_group_s* resnetgen_dist_group;
