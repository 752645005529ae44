using ResNetGen.Bench;

// Side-by-side benchmarks against PyTorch. Usage: dotnet run -c Release --project bench/ResNetGen.Bench -- <name> [options]
var name = args.Length > 0 ? args[0] : "help";
switch (name)
{
    case "overhead":
        return CallOverhead.Run(args.Skip(1).ToArray());
    case "train":
        return TrainThroughput.Run(args.Skip(1).ToArray());
    default:
        Console.WriteLine("benchmarks:");
        Console.WriteLine("  overhead [--rounds N] [--calls N]   per-call cost of a tiny op (1-element add): C# vs PyTorch in Python");
        Console.WriteLine("  train [--device cpu|cuda] [--networks resnet20,resnet18] [--batch N] [--steps N] [--rounds N] [--amp off|float16|bfloat16]");
        Console.WriteLine("                                      training img/s: our Trainer's step vs PyTorch eager (NCHW and channels_last)");
        return name == "help" ? 0 : 2;
}
