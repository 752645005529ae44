using ResNetGen.Torch;

namespace ResNetGen.Training;

/// <summary>
/// The train/eval mode of a module and of each of its submodules, to put back after a temporary
/// <c>eval()</c>: a network with some layers deliberately frozen in eval mode stays so.
/// </summary>
internal readonly struct ModuleModes
{
    private readonly List<(Module Module, bool Training)> modes;

    private ModuleModes(List<(Module, bool)> modes) => this.modes = modes;

    public static ModuleModes Capture(Module model) => new(model.named_modules().Select(m => (m.module, m.module.training)).ToList());

    /// <summary>Sets the root's mode on the whole tree, then each submodule whose own mode differed (parents first).</summary>
    public void Restore()
    {
        if (modes.Count == 0) return;
        modes[0].Module.train(modes[0].Training);
        foreach (var (module, training) in modes.Skip(1))
            if (module.training != training) module.train(training);
    }
}
