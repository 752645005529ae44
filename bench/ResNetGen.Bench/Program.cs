using ResNetGen.Bench;

// Side-by-side benchmarks against PyTorch. Usage: dotnet run -c Release --project bench/ResNetGen.Bench -- <name> [options]
var name = args.Length > 0 ? args[0] : "help";
switch (name)
{
    case "overhead":
        return CallOverhead.Run(args.Skip(1).ToArray());
    default:
        Console.WriteLine("benchmarks:");
        Console.WriteLine("  overhead [--rounds N] [--calls N]   per-call cost of a tiny op (1-element add): C# vs PyTorch in Python");
        return name == "help" ? 0 : 2;
}
