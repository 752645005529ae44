using System.Globalization;
using ResNetGen.GpuSmoke;
using ResNetGen.Torch;

// The CUDA smoke suite: every check prints PASS, FAIL or SKIP with its numbers; the exit code is
// 1 when any check fails (2 for bad arguments). Usage:
//   ResNetGen.GpuSmoke [--device cuda|cuda:N|cpu] [--amp-steps N] [--only check1,check2]
// With --device cpu the CUDA-only checks print SKIP with the reason and the others run on the CPU.
string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

Device device;
int ampSteps;
string[]? only;
try
{
    device = Device.Parse(Arg("--device") ?? "cuda");
    ampSteps = int.Parse(Arg("--amp-steps") ?? "50", CultureInfo.InvariantCulture);
    if (ampSteps < 10) throw new ArgumentException("--amp-steps must be at least 10");
    only = Arg("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine("usage: ResNetGen.GpuSmoke [--device cuda|cuda:N|cpu] [--amp-steps N] [--only check1,check2]");
    return 2;
}

var cudaAvailable = torch.cuda.is_available();
Console.WriteLine($"smoke suite: device {device}, libtorch {torch.version}, .NET {Environment.Version}, CUDA available: {cudaAvailable} ({torch.cuda.device_count()} device(s))");
if (device.type == DeviceType.CUDA && !cudaAvailable)
{
    Console.WriteLine($"FAIL  {"cuda-available",-24} device {device} requested but this libtorch ({torch.version}) sees no CUDA device");
    return 1;
}

var checks = new SmokeChecks(device, ampSteps).All().ToList();
var unknown = only?.Except(checks.Select(c => c.Name)).ToList() ?? [];
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"error: unknown check(s) {string.Join(", ", unknown)}; known: {string.Join(", ", checks.Select(c => c.Name))}");
    return 2;
}
var (passed, failed, skipped) = (0, 0, 0);
foreach (var (name, check) in checks.Where(c => only is null || only.Contains(c.Name)))
{
    var watch = System.Diagnostics.Stopwatch.StartNew();
    CheckResult result;
    try
    {
        result = check();
    }
    catch (Exception e)
    {
        // A check that throws fails; the suite (and the process) goes on.
        result = CheckResult.Fail($"{e.GetType().Name}: {e.Message}");
    }
    switch (result.Status)
    {
        case CheckStatus.Pass: passed++; break;
        case CheckStatus.Fail: failed++; break;
        default: skipped++; break;
    }
    var status = result.Status.ToString().ToUpperInvariant();
    Console.WriteLine(FormattableString.Invariant($"{status,-5} {name,-24} {result.Detail} [{watch.Elapsed.TotalSeconds:F1}s]"));
}
Console.WriteLine($"smoke: {passed} passed, {failed} failed, {skipped} skipped");
return failed > 0 ? 1 : 0;
