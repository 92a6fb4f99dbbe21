using System.CommandLine;
using System.Globalization;
using System.Text;
using MotivationDsl.Training;
using static TorchSharp.torch;

namespace MotivationDsl.Cli;

/// <summary><c>sample</c>: generate text from a run's trained language model (byte level: the prompt and the output are UTF-8 bytes).</summary>
internal static class SampleCommand
{
    public static Command Create(Func<ModelCatalog> catalog, CliOutput output)
    {
        var run = new Option<string>("--run", "-r") { Description = "The run folder (written by train) of a language model.", Required = true };
        var role = new Option<string>("--role") { Description = "Which trained model generates: base or motivated.", DefaultValueFactory = _ => "base" };
        var prompt = new Option<string>("--prompt", "-p") { Description = "Text the generation continues (UTF-8).", DefaultValueFactory = _ => "\n" };
        var tokens = new Option<int>("--tokens", "-n") { Description = "Tokens (bytes) to generate.", DefaultValueFactory = _ => 200 };
        var temperature = new Option<double>("--temperature", "-t") { Description = "Divides the logits before the softmax; > 0 (small: nearly greedy).", DefaultValueFactory = _ => 0.8 };
        var topK = new Option<int?>("--top-k", "-k") { Description = "Draw only among the K most likely tokens (default: all)." };
        var seed = new Option<long>("--seed") { Description = "Seed of the sampler (same seed, same text).", DefaultValueFactory = _ => 42 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "torch.set_num_threads." };
        var command = new Command("sample", "Generate text from a run's trained language model (models/*.dat, else the latest checkpoint).")
        {
            run, role, prompt, tokens, temperature, topK, seed, device, threads,
        };
        command.SetAction(parse => CliErrors.Guard(output, () =>
        {
            var which = parse.GetValue(role)!.Trim().ToLowerInvariant();
            if (which is not ("base" or "motivated")) throw new CliException($"Unknown --role '{parse.GetValue(role)}'. Choose base or motivated.");
            var count = parse.GetValue(tokens);
            if (count < 1) throw new CliException($"--tokens must be at least 1 (got {count}).");
            var t = parse.GetValue(temperature);
            if (!(t > 0) || double.IsInfinity(t)) throw new CliException($"--temperature must be a positive number (got {t.ToString(CultureInfo.InvariantCulture)}).");
            var text = parse.GetValue(prompt) ?? "";
            if (text.Length == 0) throw new CliException("--prompt must not be empty: generation continues a text of at least one byte.");
            if (parse.GetValue(threads) is { } n)
            {
                if (n < 1) throw new CliException($"--threads must be at least 1 (got {n}).");
                set_num_threads(n);
            }
            var dev = Devices.Resolve(parse.GetValue(device)!);

            using var models = RunModels.Load(catalog(), parse.GetValue(run)!, dev, output);
            var definition = models.Definition;
            if (definition.ModelTask != ModelTask.LanguageModel)
                throw new CliException($"'{definition.Name}' is a {definition.ModelTask.ToString().ToLowerInvariant()} model; sample needs a language model.");
            var variant = definition.GetVariant(which == "base" ? definition.BaseVariant : definition.MotivatedVariant);
            var task = LanguageModelTask.For(variant);
            if (task.Vocabulary != LanguageModelTask.ByteVocabulary)
                throw new CliException($"sample reads and writes text as UTF-8 bytes and needs a byte-level model (vocabulary {LanguageModelTask.ByteVocabulary}); '{definition.Name}' has a vocabulary of {task.Vocabulary}.");
            if (parse.GetValue(topK) is { } k && (k < 1 || k > task.Vocabulary))
                throw new CliException($"--top-k must be between 1 and the vocabulary size {task.Vocabulary} (got {k}).");

            var module = which == "base" ? models.Trainer.Pair.Base : models.Trainer.Pair.Motivated;
            var promptTokens = Encoding.UTF8.GetBytes(text).Select(b => (long)b).ToArray();
            var generated = TextSampler.Generate(module, promptTokens, count, task.ContextLength, task.Vocabulary,
                new SamplingOptions(t, parse.GetValue(topK), parse.GetValue(seed)));
            output.Line($"Model: {definition.Name} {which} ({variant.Name}) from {models.Source}");
            output.Line($"Sampling: {count} bytes, temperature {t.ToString(CultureInfo.InvariantCulture)}, top-k {parse.GetValue(topK)?.ToString(CultureInfo.InvariantCulture) ?? "all"}, seed {parse.GetValue(seed)}");
            output.Line(new string('-', 40));
            var bytes = promptTokens.Concat(generated).Select(b => (byte)b).ToArray();
            output.Line(Encoding.UTF8.GetString(bytes));
            return 0;
        }));
        return command;
    }
}
