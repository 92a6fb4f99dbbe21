using MotivationDsl.Examples.Experiments;
using MotivationDsl.Experiments;

// The experiment runner over this project's model families (docs/experiments.md):
//   dotnet run -c Release --project examples/Experiments -- run --model FashionResNet --name NAME [options]
return ExperimentCli.Run(args, FashionResNet.Definition, FashionResNet5.Definition);
