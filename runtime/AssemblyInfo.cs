using System.Runtime.CompilerServices;

// Tests reach internal hooks (e.g. the shim's deliberate non-std exception).
[assembly: InternalsVisibleTo("ResNetGen.Runtime.Tests")]
