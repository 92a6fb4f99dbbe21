using MotivationDsl.Cli;

// With no arguments: the quick-start run (a few minutes on two CPU cores). The defaults are spelled out here;
// any arguments replace them entirely, e.g. `dotnet run --project examples/QuickStart -- train --epochs 30`
// or `-- inspect`, `-- eval --run runs/...`, `-- --help`.
string[] quickStart =
[
    "train",
    "--epochs", "3",
    "--train-limit", "12000",   // the first 12,000 of Fashion-MNIST's 60,000 training images
    "--test-limit", "2000",     // and the first 2,000 of its 10,000 test images
    "--batch-size", "128",
    "--condition", "consecutive", "--k", "2",
    "--optimizer", "sgd", "--lr", "0.1", "--schedule", "cosine",
    "--seed", "42",
];
return MotivationCli.Run(args.Length == 0 ? quickStart : args);
