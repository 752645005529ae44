using System.CommandLine;
using ResNetGen.Cli;
using ResNetGen.Distributed;
using Spectre.Console;

// resnetgen: train, evaluate, summarise and run the networks declared in samples/ResNetGen.Zoo.

// A worker started by `--nproc-per-node` dies with its launcher, however the launcher dies.
LocalLauncher.BindToLauncher();

// Redirected output (a log file, a pipe, CI) gets plain text: no colour or cursor escape codes.
if (Console.IsOutputRedirected)
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(Console.Out),
    });

DistributedLaunch.OriginalArguments = args;
var root = new RootCommand("ResNetGen: train and run attribute-declared residual networks on libtorch.")
{
    Commands.Train(),
    Commands.Evaluate(),
    Commands.Summary(),
    Commands.Predict(),
    Commands.List(),
};
ParseResult parsed;
try
{
    parsed = root.Parse(args);
}
catch (Exception e)
{
    // A validator that throws is a bug of ours, but the user still gets one line, not a stack dump.
    Console.Error.WriteLine($"error: cannot parse the command line: {e.Message}");
    return 1;
}
if (parsed.Errors.Count > 0)
{
    // One line naming every problem (each message names its option), not the whole help text that would bury it.
    var problems = parsed.Errors.Select(e => Plain(string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))));
    Console.Error.WriteLine($"error: {string.Join(" ", problems)} (see `resnetgen{(parsed.CommandResult.Command is RootCommand ? "" : " " + parsed.CommandResult.Command.Name)} --help`)");
    return 1;
}
// Commands handle SIGINT/SIGTERM themselves (train saves a checkpoint); no 2-second forced exit.
try
{
    return parsed.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: {Commands.OneLine(e)}");
    return 1;
}

// "as expected type 'System.Nullable`1[System.Int32]'" says "an integer" to a user.
static string Plain(string message) => System.Text.RegularExpressions.Regex.Replace(message, @"as expected type '([^']+)'", m => m.Groups[1].Value switch
{
    var t when t.Contains("System.Int32", StringComparison.Ordinal) || t.Contains("System.Int64", StringComparison.Ordinal) => "as an integer",
    var t when t.Contains("System.Double", StringComparison.Ordinal) => "as a number",
    var t when t.Contains("System.Boolean", StringComparison.Ordinal) => "as true or false",
    var t => $"as a {t[(t.LastIndexOf('.') + 1)..]}",
});
