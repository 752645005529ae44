// Precompiled header: the libtorch includes every source file of the shim needs.
#pragma once
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/version.h>
#include <cstdint>
#include <string>
#include <vector>
