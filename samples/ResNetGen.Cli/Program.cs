using System.CommandLine;
using ResNetGen.Cli;

// resnetgen: train, evaluate, summarise and run the networks declared in samples/ResNetGen.Zoo.
DistributedLaunch.OriginalArguments = args;
var root = new RootCommand("ResNetGen: train and run attribute-declared residual networks on libtorch.")
{
    Commands.Train(),
    Commands.Evaluate(),
    Commands.Summary(),
    Commands.Predict(),
    Commands.List(),
};
return root.Parse(args).Invoke();
