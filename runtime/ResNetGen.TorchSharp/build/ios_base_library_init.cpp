// Defines the one GCC 13 libstdc++ symbol (GLIBCXX_3.4.32) that TorchSharp's libLibTorchSharp.so
// needs and Debian 12's libstdc++ (GCC 12) lacks. GCC 13's <iostream> references it only to pull in
// the libstdc++ that constructs std::cout & co. itself; including <iostream> here (GCC 12 headers)
// gives this library the static std::ios_base::Init that does the same on older libstdc++.
#include <iostream>

namespace std
{
    __attribute__((visibility("default"))) void ios_base_library_init() {}
}
