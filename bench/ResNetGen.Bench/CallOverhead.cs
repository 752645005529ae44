using System.Diagnostics;
using ResNetGen.Torch;

namespace ResNetGen.Bench;

/// <summary>
/// The per-call overhead of the binding: adding two 1-element tensors (result freed each time),
/// from C# through the shim, and from Python through PyTorch's own binding. Rounds alternate
/// between the two in one run so machine noise hits both; medians are reported.
/// </summary>
public static class CallOverhead
{
    public static int Run(string[] args)
    {
        var rounds = Options.Int(args, "--rounds", 7);
        var calls = Options.Int(args, "--calls", 200_000);
        using var python = new PythonWorker("""
            import torch, time
            torch.set_num_threads(1)
            a = torch.ones(1); b = torch.ones(1)
            def round_ns(n):
                t = time.perf_counter_ns()
                for _ in range(n):
                    c = a + b
                return (time.perf_counter_ns() - t) / n
            """);

        torch.set_num_threads(1);
        using var a = torch.ones([1]);
        using var b = torch.ones([1]);
        double OursNs()
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                using var c = a + b;
            }
            return watch.Elapsed.TotalNanoseconds / calls;
        }

        OursNs();
        python.Eval($"round_ns({calls / 10})"); // warm-up both
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            ours.Add(OursNs());
            theirs.Add(double.Parse(python.Eval($"round_ns({calls})"), System.Globalization.CultureInfo.InvariantCulture));
        }

        var (mo, mt) = (Stats.Median(ours), Stats.Median(theirs));
        Console.WriteLine($"tiny op (1-element add, result freed), {calls:N0} calls x {rounds} alternating rounds, 1 thread");
        Console.WriteLine($"  ResNetGen (C#)     median {mo,8:F0} ns/call   rounds: {string.Join(" ", ours.Select(x => x.ToString("F0")))}");
        Console.WriteLine($"  PyTorch (Python)   median {mt,8:F0} ns/call   rounds: {string.Join(" ", theirs.Select(x => x.ToString("F0")))}");
        Console.WriteLine($"  ratio ours/PyTorch: {mo / mt:F2} (below 1 = we are faster)");
        return 0;
    }
}
