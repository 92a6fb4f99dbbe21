using MotivationDsl.Cli;

// With no arguments: the quick-start run (a few minutes on two CPU cores). The defaults are spelled out here;
// any arguments replace them entirely, e.g. `dotnet run --project examples/QuickStart -- train --epochs 30`
// or `-- inspect`, `-- eval --run runs/...`, `-- --help`.
string[] quickStart =
[
    "train",
    "--epochs", "4",
    "--train-limit", "20000",   // the first 20,000 of Fashion-MNIST's 60,000 training images
    "--test-limit", "2000",     // and the first 2,000 of its 10,000 test images
    "--batch-size", "128",
    "--condition", "consecutive", "--k", "2",
    "--optimizer", "sgd", "--lr", "0.1", "--schedule", "cosine",
    "--seed", "42",
    "--threads", "1",           // one LibTorch thread: robust on a busy 2-core machine, and the run is bitwise reproducible
];
return MotivationCli.Run(args.Length == 0 ? quickStart : args);
