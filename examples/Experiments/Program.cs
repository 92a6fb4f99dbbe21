using MotivationDsl.Examples.Experiments;
using MotivationDsl.Experiments;

// The experiment runner over this project's model families (docs/experiments.md):
//   dotnet run -c Release --project examples/Experiments -- run --model FashionResNet --name NAME [options]
//   (add --growth-model FashionResNetGrowing to train the function-preserving rule side by side; the width pair:
//   --model FashionResNetWidth --growth-model FashionResNetWidthGrowing)
// The long budget (results/long-budget-run.sh): QuickStart's pair, --model MotivationDsl.Examples.QuickStart.FashionResNet
// --growth-model QuickStartResNetGrowing (the full name: the short name FashionResNet is this project's ResNet-20).
// The byte-level language-model pair under both growth rules: --model GptFamily --growth-model GptFamily (results/lm-run.sh).
return ExperimentCli.Run(args, FashionResNet.Definition, FashionResNetGrowing.Definition, FashionResNet5.Definition,
    FashionResNetFirstRandom.Definition, FashionResNetLastIdentity.Definition,
    FashionResNetWidth.Definition, FashionResNetWidthGrowing.Definition,
    MotivationDsl.Examples.Gpt.GptFamily.Definition,
    MotivationDsl.Examples.QuickStart.FashionResNet.Definition, QuickStartResNetGrowing.Definition);
