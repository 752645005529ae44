using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ResNetGen.Torch;

namespace ResNetGen.Runtime.Tests.Oracle;

/// <summary>A Python oracle script failed, timed out, or PyTorch is not there.</summary>
public sealed class PythonOracleException : Exception
{
    public PythonOracleException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// Runs Python snippets under a live PyTorch (Debian's <c>/usr/bin/python3</c> with
/// <c>python3-torch</c>, which shares libtorch 1.13 with the runtime) and hands their tensors back.
/// <para>
/// One long-lived Python process serves every call (importing torch costs 1–2 s, a call after
/// that a few milliseconds), so tests can ask case by case. Inputs travel as a safetensors file,
/// outputs come back as one. A script sees:
/// <list type="bullet">
/// <item><c>torch</c>, <c>F</c> (torch.nn.functional), <c>nn</c>, <c>math</c>;</item>
/// <item><c>inputs</c>: the input tensors by name (also bound as variables when the name is an identifier);</item>
/// <item><c>params</c>: the JSON-serialisable parameters passed to <see cref="Run"/>;</item>
/// <item><c>outputs</c>: a dict to fill with tensors, numbers, or lists/tuples of them
/// (a list <c>name</c> comes back as <c>name.0</c>, <c>name.1</c>, ...; numbers as 0-d tensors:
/// float64, int64 or bool).</item>
/// </list>
/// Each call starts from <c>torch.manual_seed(seed)</c>, grad mode on and float32 as the default dtype.
/// <c>print</c> goes to the process's stderr, which a failure's exception carries with the traceback.
/// </para>
/// <para>
/// Thread-safe (calls are serialised). The process ends when the test host ends (its stdin closes);
/// a call that times out kills it and the next call starts a fresh one.
/// </para>
/// </summary>
public sealed class PythonOracle : IDisposable
{
    /// <summary>The interpreter: $RESNETGEN_PYTHON, else Debian's /usr/bin/python3 (the one with torch).</summary>
    public static string PythonPath =>
        Environment.GetEnvironmentVariable("RESNETGEN_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    private static readonly Lazy<PythonOracle> shared = new(() => new PythonOracle());

    /// <summary>The process-wide oracle every test can share.</summary>
    public static PythonOracle Shared => shared.Value;

    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(60);

    private readonly object gate = new();
    private readonly string workDir;
    private readonly StringBuilder stderr = new();
    private Process? process;
    private int requestCounter;
    private bool disposed;

    public PythonOracle()
    {
        workDir = Path.Combine(Path.GetTempPath(), $"resnetgen-oracle-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(workDir);
        File.WriteAllText(Path.Combine(workDir, "oracle_server.py"), ServerScript);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>The folder with <c>safetensors_torch.py</c>: scripts/python of this repository.</summary>
    public static string ScriptsDirectory => Path.Combine(RepoRoot, "scripts", "python");

    /// <summary>The repository root (the folder holding ResNetGen.sln), found from the test binary upwards.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ResNetGen.sln"))) return dir.FullName;
            }
            throw new InvalidOperationException($"cannot find the repository root (ResNetGen.sln) above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="inputs"/> and returns what it put in
    /// <c>outputs</c> (CPU tensors, in insertion order; the caller owns them).
    /// </summary>
    public OrderedDictionary<string, Tensor> Run(string script, IEnumerable<KeyValuePair<string, Tensor>>? inputs = null,
        object? parameters = null, TimeSpan? timeout = null, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(script);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var id = ++requestCounter;
            var inputPath = Path.Combine(workDir, $"in-{id}.safetensors");
            var outputPath = Path.Combine(workDir, $"out-{id}.safetensors");
            try
            {
                var inputList = inputs?.ToList() ?? [];
                if (inputList.Count > 0) Safetensors.Save(inputPath, inputList);
                var request = JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["script"] = script,
                    ["inputs"] = inputList.Count > 0 ? inputPath : null,
                    ["outputs"] = outputPath,
                    ["params"] = JsonSerializer.Serialize(parameters ?? new Dictionary<string, object>()),
                    ["seed"] = seed,
                });
                var response = Exchange(request, timeout ?? DefaultTimeout, script);
                using var doc = JsonDocument.Parse(response);
                if (!doc.RootElement.GetProperty("ok").GetBoolean())
                {
                    var error = doc.RootElement.GetProperty("error").GetString();
                    throw new PythonOracleException($"the oracle script failed:\n{error}\n--- python stderr (tail) ---\n{StderrTail()}\n--- script ---\n{Numbered(script)}");
                }
                return Safetensors.Load(outputPath);
            }
            finally
            {
                TryDelete(inputPath);
                TryDelete(outputPath);
            }
        }
    }

    /// <summary>Runs a Python program in a fresh process (e.g. a CLI), returning exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunProcess(IEnumerable<string> arguments, TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(PythonPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var p = StartOrExplain(info);
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        var limit = timeout ?? DefaultTimeout;
        if (!p.WaitForExit(limit))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new PythonOracleException($"{PythonPath} {string.Join(' ', info.ArgumentList)} did not finish within {limit.TotalSeconds:0} s");
        }
        p.WaitForExit();
        return (p.ExitCode, stdoutTask.Result, stderrTask.Result);
    }

    private string Exchange(string request, TimeSpan timeout, string script)
    {
        var p = EnsureStarted();
        lock (stderr) stderr.Clear();
        try
        {
            p.StandardInput.WriteLine(request);
            p.StandardInput.Flush();
        }
        catch (IOException e)
        {
            Kill();
            throw new PythonOracleException($"the oracle process died:\n{StderrTail()}", e);
        }
        var read = p.StandardOutput.ReadLineAsync();
        if (!read.Wait(timeout))
        {
            var tail = StderrTail();
            Kill();
            throw new PythonOracleException($"the oracle script did not finish within {timeout.TotalSeconds:0} s (process killed)\n--- python stderr (tail) ---\n{tail}\n--- script ---\n{Numbered(script)}");
        }
        if (read.Result is null)
        {
            p.WaitForExit(2000);
            var tail = StderrTail();
            Kill();
            throw new PythonOracleException($"the oracle process exited unexpectedly\n--- python stderr (tail) ---\n{tail}");
        }
        return read.Result;
    }

    private Process EnsureStarted()
    {
        if (process is { HasExited: false }) return process;
        Kill();
        var info = new ProcessStartInfo(PythonPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            WorkingDirectory = workDir,
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(Path.Combine(workDir, "oracle_server.py"));
        info.ArgumentList.Add(ScriptsDirectory);
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var p = StartOrExplain(info);
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
                if (stderr.Length > 64_000) stderr.Remove(0, stderr.Length - 32_000);
            }
        };
        p.BeginErrorReadLine();
        // The server says "ready" once torch is imported (or dies explaining why).
        var ready = p.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(120)) || ready.Result != "ready")
        {
            p.WaitForExit(2000);
            var tail = StderrTail();
            try { p.Kill(true); } catch (InvalidOperationException) { }
            p.Dispose();
            throw new PythonOracleException(
                $"the PyTorch oracle did not start: {PythonPath} could not import torch (install it with: apt-get install python3-torch python3-torchvision)\n{tail}");
        }
        process = p;
        return p;
    }

    private static Process StartOrExplain(ProcessStartInfo info)
    {
        try
        {
            return Process.Start(info) ?? throw new PythonOracleException($"could not start {info.FileName}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PythonOracleException($"could not start {info.FileName} (install Debian's python3-torch: apt-get install python3-torch)", e);
        }
    }

    private string StderrTail()
    {
        lock (stderr)
        {
            var s = stderr.ToString();
            return s.Length > 8000 ? "..." + s[^8000..] : s;
        }
    }

    private static string Numbered(string script) =>
        string.Join('\n', script.Split('\n').Select((line, i) => $"{i + 1,4}| {line}"));

    private void Kill()
    {
        var p = process;
        process = null;
        if (p is null) return;
        try
        {
            if (!p.HasExited)
            {
                p.StandardInput.Close(); // lets the server leave its loop
                if (!p.WaitForExit(1000)) p.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException) { }
        catch (IOException) { }
        p.Dispose();
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            Kill();
            try { Directory.Delete(workDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { }
    }

    private const string ServerScript = """
        import collections, json, math, sys, traceback
        sys.path.insert(0, sys.argv[1])
        protocol = sys.stdout
        sys.stdout = sys.stderr  # a script's print() must not corrupt the protocol
        import torch
        import torch.nn.functional as F
        from torch import nn
        import safetensors_torch as st

        def flatten(outputs):
            flat = collections.OrderedDict()
            def add(name, v):
                if isinstance(v, torch.Tensor):
                    flat[name] = v.detach().cpu()
                elif isinstance(v, bool):
                    flat[name] = torch.tensor(v)
                elif isinstance(v, int):
                    flat[name] = torch.tensor(v, dtype=torch.int64)
                elif isinstance(v, float):
                    flat[name] = torch.tensor(v, dtype=torch.float64)
                elif isinstance(v, (list, tuple)):
                    for i, x in enumerate(v):
                        add("{}.{}".format(name, i), x)
                else:
                    raise TypeError("output {!r} is a {}; expected a tensor, a number or a list of them".format(name, type(v).__name__))
            for k, v in outputs.items():
                add(k, v)
            return flat

        protocol.write("ready\n")
        protocol.flush()
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                inputs = st.load_file(req["inputs"]) if req.get("inputs") else collections.OrderedDict()
                ns = {"torch": torch, "F": F, "nn": nn, "math": math, "inputs": inputs,
                      "outputs": collections.OrderedDict(), "params": json.loads(req.get("params") or "{}")}
                for k, v in inputs.items():
                    if k.isidentifier() and k not in ns:
                        ns[k] = v
                torch.set_default_dtype(torch.float32)
                torch.set_grad_enabled(True)
                torch.manual_seed(int(req.get("seed", 0)))
                exec(compile(req["script"], "<oracle script>", "exec"), ns)
                st.save_file(flatten(ns["outputs"]), req["outputs"])
                response = {"ok": True}
            except BaseException:
                response = {"ok": False, "error": traceback.format_exc()}
            sys.stderr.flush()
            protocol.write(json.dumps(response) + "\n")
            protocol.flush()
        """;
}
