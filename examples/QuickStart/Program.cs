using MotivationDsl.Cli;
using MotivationDsl.Data;

// With no arguments: the quick-start run (a few minutes on two CPU cores). The defaults are spelled out here;
// any arguments replace them entirely, e.g. `dotnet run --project examples/QuickStart -- train --epochs 30`
// or `-- inspect`, `-- eval --run runs/...`, `-- --help`.
//
// The data is Fashion-MNIST from Debian's dataset-fashion-mnist package when it is installed (then the first 20,000
// of its 60,000 training images, 4 epochs), otherwise the embedded 3,000-image sample, which needs more epochs over
// fewer images for about the same time (the output's "Data:" line says which was used).
bool fullData = Directory.Exists(Datasets.DefaultFashionMnistDir)
               && Directory.EnumerateFiles(Datasets.DefaultFashionMnistDir, "train-images*").Any();
string[] quickStart =
[
    "train",
    "--epochs", fullData ? "4" : "24",
    "--train-limit", "20000",   // the first 20,000 training images (the sample has 3,000)
    "--test-limit", "2000",     // and the first 2,000 test images (the sample has 1,000)
    "--batch-size", "128",
    "--condition", "consecutive", "--k", "2",
    "--optimizer", "sgd", "--lr", "0.1", "--schedule", "cosine",
    "--seed", "42",
    "--threads", "1",           // one LibTorch thread: robust on a busy 2-core machine, and the run is bitwise reproducible
];
return MotivationCli.Run(args.Length == 0 ? quickStart : args);
