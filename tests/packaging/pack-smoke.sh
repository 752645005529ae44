#!/usr/bin/env bash
# Packs the runtime as the ResNetGen package, then builds a throw-away console project that
# references it from a local folder: the generator must run from analyzers/dotnet/cs (generated
# code present), its errors must fail the build, and #pragma must suppress its warnings.
# Usage: tests/packaging/pack-smoke.sh   (exit 0 = pass)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
feed="$work/feed"

dotnet pack "$root/generator/ResNetGen.Attributes/ResNetGen.Attributes.csproj" -c Release -o "$feed" -nologo -v q >/dev/null
dotnet pack "$root/runtime/ResNetGen.Reports/ResNetGen.Reports.csproj" -c Release -o "$feed" -nologo -v q >/dev/null
dotnet pack "$root/runtime/ResNetGen.Runtime.csproj" -c Release -o "$feed" -nologo -v q >/dev/null
pkg="$(ls "$feed"/ResNetGen.[0-9]*.nupkg | head -1)"
unzip -l "$pkg" | grep -q "analyzers/dotnet/cs/ResNetGen.Generator.dll" || { echo "FAIL: generator not under analyzers/dotnet/cs"; exit 1; }
unzip -l "$pkg" | grep -q "lib/net10.0/ResNetGen.Runtime.dll" || { echo "FAIL: runtime library missing"; exit 1; }
version="$(basename "$pkg" .nupkg | sed 's/^ResNetGen\.//')"

app="$work/app"
mkdir -p "$app"
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
cat > "$app/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
    <RestorePackagesPath>$work/packages</RestorePackagesPath>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="ResNetGen" Version="$version" />
  </ItemGroup>
</Project>
XML
cat > "$app/Program.cs" <<'CS'
using ResNetGen;

System.Console.WriteLine($"{Demo.ResNet20.ParameterCount} {Demo.ResNet20.Layer3Size}");

namespace Demo
{
    [ResNet(NumClasses = 10, InChannels = 1, InputSize = 28)]
    [Stem(StemKind.Cifar, Filters = 16)]
    [ResidualStage(filters: 16, blocks: 3)]
    [ResidualStage(filters: 32, blocks: 3, stride: 2)]
    [ResidualStage(filters: 64, blocks: 3, stride: 2)]
    public partial class ResNet20 { }

#pragma warning disable RNG010 // 7×7 halved: intended here
    [ResNet(NumClasses = 10, InChannels = 1, InputSize = 28)]
    [Stem(StemKind.Cifar)]
    [ResidualStage(16, 1)]
    [ResidualStage(32, 1, stride: 2)]
    [ResidualStage(64, 1, stride: 2)]
    [ResidualStage(128, 1, stride: 2)]
    public partial class OddButFine { }
#pragma warning restore RNG010
}
CS

echo "== clean build (expects success)"
dotnet build "$app/App.csproj" -c Release -nologo -v q > "$work/ok.log" 2>&1 || { cat "$work/ok.log"; echo "FAIL: clean project did not build"; exit 1; }
generated="$(find "$app/obj" -path "*ResNetGen.Generator*" -name "Demo.ResNet20.g.cs" | head -1)"
[ -n "$generated" ] || { echo "FAIL: generated Demo.ResNet20.g.cs not found"; exit 1; }
grep -q "public const long ParameterCount = 272_186;" "$generated" || { echo "FAIL: unexpected generated code"; exit 1; }
grep -q "RNG010" "$work/ok.log" && { echo "FAIL: #pragma did not suppress RNG010"; exit 1; }
echo "generated: $generated"

echo "== broken build (expects RNG007 at the attribute)"
cat >> "$app/Program.cs" <<'CS'
namespace Demo
{
    [ResNet(NumClasses = 10)]
    [ResidualStage(16, 1)]
    [ResidualStage(32, 1, stride: 2, Shortcut = ShortcutKind.Identity)]
    public partial class Broken { }
}
CS
if dotnet build "$app/App.csproj" -c Release -nologo -v q > "$work/bad.log" 2>&1; then
  cat "$work/bad.log"; echo "FAIL: a shape error did not fail the build"; exit 1
fi
grep -E "Program.cs\([0-9]+,[0-9]+\): error RNG007" "$work/bad.log" || { cat "$work/bad.log"; echo "FAIL: RNG007 not reported at the attribute"; exit 1; }
echo "PASS: package works end to end"
