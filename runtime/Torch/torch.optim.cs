using ResNetGen.Torch.Optim;

namespace ResNetGen.Torch;

public static partial class torch
{
    /// <summary>Optimizers and learning-rate schedulers, as <c>torch.optim</c> (types in <see cref="ResNetGen.Torch.Optim"/>).</summary>
    public static class optim
    {
        public static Optim.SGD SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false, bool? @foreach = null) =>
            new(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize, @foreach);

        public static Optim.SGD SGD(IEnumerable<ParamGroup> param_groups, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false, bool? @foreach = null) =>
            new(param_groups, lr, momentum, dampening, weight_decay, nesterov, maximize, @foreach);

        public static Optim.AdamW AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false, bool? @foreach = null) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, @foreach);

        public static Optim.AdamW AdamW(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false, bool? @foreach = null) =>
            new(param_groups, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, @foreach);

        public static class lr_scheduler
        {
            public static Optim.StepLR StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1) =>
                new(optimizer, step_size, gamma, last_epoch);

            public static Optim.MultiStepLR MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int last_epoch = -1) =>
                new(optimizer, milestones, gamma, last_epoch);

            public static Optim.CosineAnnealingLR CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0, int last_epoch = -1) =>
                new(optimizer, T_max, eta_min, last_epoch);

            public static Optim.LinearLR LinearLR(Optimizer optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
                int total_iters = 5, int last_epoch = -1) =>
                new(optimizer, start_factor, end_factor, total_iters, last_epoch);

            public static Optim.SequentialLR SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers,
                IReadOnlyList<int> milestones, int last_epoch = -1) =>
                new(optimizer, schedulers, milestones, last_epoch);

            public static Optim.LinearWarmup LinearWarmup(Optimizer optimizer, int warmup_steps, LRScheduler? after = null,
                double start_factor = 0.01) =>
                new(optimizer, warmup_steps, after, start_factor);

            public static Optim.OneCycleLR OneCycleLR(Optimizer optimizer, double max_lr, int? total_steps = null, int? epochs = null,
                int? steps_per_epoch = null, double pct_start = 0.3, string anneal_strategy = "cos", bool cycle_momentum = true,
                double base_momentum = 0.85, double max_momentum = 0.95, double div_factor = 25.0, double final_div_factor = 1e4,
                bool three_phase = false, int last_epoch = -1) =>
                new(optimizer, max_lr, total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, cycle_momentum,
                    base_momentum, max_momentum, div_factor, final_div_factor, three_phase, last_epoch);
        }
    }
}
