# c10d (PyTorch's distributed engine) for src/distributed.cpp and src/sync_batch_norm.cpp:
# finds which backends this libtorch can give us, and compiles both files with them (they share
# src/distributed_internal.h, so they need the same definitions). Included from CMakeLists.txt.
#
#   gloo: c10d's ProcessGroupGloo needs gloo's headers (Debian: libgloo-dev). Defines
#         RESNETGEN_HAVE_GLOO and USE_C10D_GLOO.
#   nccl: only with a CUDA libtorch whose c10d was built with NCCL, and nccl.h at build time
#         (NCCL_INCLUDE_DIR / NCCL_ROOT, the CUDA toolkit, or pip's nvidia/nccl/include next to
#         the torch package). Defines RESNETGEN_HAVE_NCCL and USE_C10D_NCCL.
# A backend not found stays out; creating a group with it then fails with a clear message.
# RESNETGEN_DIST_GLOO / RESNETGEN_DIST_NCCL (ON/OFF/AUTO, default AUTO) force the choice.
include(CheckCXXSourceCompiles)

set(RESNETGEN_DIST_GLOO AUTO CACHE STRING "Build c10d's gloo backend into the shim (ON, OFF, AUTO)")
set(RESNETGEN_DIST_NCCL AUTO CACHE STRING "Build c10d's NCCL backend into the shim (ON, OFF, AUTO)")

set(_shim_dist_source ${CMAKE_CURRENT_SOURCE_DIR}/src/distributed.cpp ${CMAKE_CURRENT_SOURCE_DIR}/src/sync_batch_norm.cpp)
set(_shim_dist_defs "")
set(_shim_dist_includes "")

# Probes compile and link a call into c10d against libtorch (its include dirs and flags come
# with the imported torch target).
set(CMAKE_REQUIRED_LIBRARIES ${TORCH_LIBRARIES})
set(CMAKE_REQUIRED_INCLUDES ${TORCH_INCLUDE_DIRS})
set(CMAKE_REQUIRED_FLAGS "${TORCH_CXX_FLAGS}")
set(CMAKE_REQUIRED_QUIET ON)
# A compile check against a libtorch this machine cannot run (scripts/check-libtorch2.sh: Debian
# 13's, built for a newer glibc) can compile the probes but not link them into an executable.
if(RESNETGEN_PROBE_COMPILE_ONLY)
  set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
endif()

check_cxx_source_compiles([=[
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
int main() {
  c10d::TCPStoreOptions opts;
  opts.isServer = false;
  return sizeof(c10d::TCPStore) > 0 && opts.port > 0 ? 0 : 1;
}
]=] RESNETGEN_HAVE_C10D_PROBE)

if(RESNETGEN_HAVE_C10D_PROBE)
  list(APPEND _shim_dist_defs RESNETGEN_HAVE_C10D)

  if(NOT RESNETGEN_DIST_GLOO STREQUAL "OFF")
    set(CMAKE_REQUIRED_DEFINITIONS -DUSE_C10D_GLOO)
    check_cxx_source_compiles([=[
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
int main() {
  auto options = c10d::ProcessGroupGloo::Options::create();
  return options && &c10d::ProcessGroupGloo::createDeviceForHostname ? 0 : 1;
}
]=] RESNETGEN_HAVE_GLOO_PROBE)
    unset(CMAKE_REQUIRED_DEFINITIONS)
    if(RESNETGEN_HAVE_GLOO_PROBE)
      list(APPEND _shim_dist_defs RESNETGEN_HAVE_GLOO USE_C10D_GLOO)
    elseif(RESNETGEN_DIST_GLOO STREQUAL "ON")
      message(FATAL_ERROR "resnetgen_shim: RESNETGEN_DIST_GLOO=ON but c10d's gloo backend does not compile here (gloo headers: Debian's libgloo-dev)")
    endif()
  endif()

  if(NOT RESNETGEN_DIST_NCCL STREQUAL "OFF" AND (TORCH_CUDA_LIBRARIES OR "${TORCH_LIBRARIES}" MATCHES "torch_cuda"))
    set(_shim_nccl_hints)
    foreach(_var NCCL_INCLUDE_DIR NCCL_ROOT NCCL_HOME CUDA_HOME CUDA_PATH)
      if(DEFINED ENV{${_var}})
        list(APPEND _shim_nccl_hints "$ENV{${_var}}" "$ENV{${_var}}/include")
      endif()
    endforeach()
    # pip's torch: <site-packages>/torch/share/cmake/Torch -> <site-packages>/nvidia/nccl/include
    get_filename_component(_shim_site "${Torch_DIR}/../../../.." ABSOLUTE)
    list(APPEND _shim_nccl_hints "${_shim_site}/nvidia/nccl/include" /usr/local/cuda/include /usr/include)
    find_path(RESNETGEN_NCCL_INCLUDE_DIR nccl.h HINTS ${_shim_nccl_hints})
    if(RESNETGEN_NCCL_INCLUDE_DIR)
      # The CUDA runtime headers: the toolkit, or pip's nvidia/cuda_runtime/include.
      set(_shim_cuda_includes "${RESNETGEN_NCCL_INCLUDE_DIR}")
      foreach(_dir "${_shim_site}/nvidia/cuda_runtime/include" /usr/local/cuda/include)
        if(EXISTS "${_dir}/cuda_runtime_api.h")
          list(APPEND _shim_cuda_includes "${_dir}")
        endif()
      endforeach()
      if(CUDA_INCLUDE_DIRS)
        list(APPEND _shim_cuda_includes ${CUDA_INCLUDE_DIRS})
      endif()
      if(CUDAToolkit_INCLUDE_DIRS)
        list(APPEND _shim_cuda_includes ${CUDAToolkit_INCLUDE_DIRS})
      endif()
      set(CMAKE_REQUIRED_INCLUDES ${TORCH_INCLUDE_DIRS} ${_shim_cuda_includes})
      set(CMAKE_REQUIRED_DEFINITIONS -DUSE_C10D_NCCL)
      check_cxx_source_compiles([=[
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
int main() {
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = std::chrono::milliseconds(1000);
  return options ? 0 : 1;
}
]=] RESNETGEN_HAVE_NCCL_PROBE)
      unset(CMAKE_REQUIRED_DEFINITIONS)
      if(RESNETGEN_HAVE_NCCL_PROBE)
        list(APPEND _shim_dist_defs RESNETGEN_HAVE_NCCL USE_C10D_NCCL)
        list(APPEND _shim_dist_includes ${_shim_cuda_includes})
      endif()
    endif()
  endif()
  if(RESNETGEN_DIST_NCCL STREQUAL "ON" AND NOT RESNETGEN_HAVE_NCCL_PROBE)
    message(FATAL_ERROR "resnetgen_shim: RESNETGEN_DIST_NCCL=ON but c10d's NCCL backend does not compile here (needs a CUDA libtorch built with NCCL, and nccl.h: set NCCL_INCLUDE_DIR)")
  endif()
endif()

unset(CMAKE_REQUIRED_LIBRARIES)
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_QUIET)
unset(CMAKE_TRY_COMPILE_TARGET_TYPE)

set(_shim_backends "")
if("RESNETGEN_HAVE_GLOO" IN_LIST _shim_dist_defs)
  list(APPEND _shim_backends gloo)
endif()
if("RESNETGEN_HAVE_NCCL" IN_LIST _shim_dist_defs)
  list(APPEND _shim_backends nccl)
endif()
if(NOT _shim_backends)
  set(_shim_backends none)
endif()
message(STATUS "resnetgen_shim: distributed backends: ${_shim_backends}")

# The backend macros change what c10d's headers declare, so these files compile without
# the shared precompiled header.
set_source_files_properties(${_shim_dist_source} PROPERTIES
  SKIP_PRECOMPILE_HEADERS ON
  COMPILE_DEFINITIONS "${_shim_dist_defs}")
if(_shim_dist_includes)
  set_property(SOURCE ${_shim_dist_source} APPEND PROPERTY INCLUDE_DIRECTORIES ${_shim_dist_includes})
endif()
