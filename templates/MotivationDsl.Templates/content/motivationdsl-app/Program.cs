using MotivationDsl.Cli;

// The motivation CLI over the model(s) declared in this project (Model.cs):
//   dotnet run -- train                  trains the pair on Fashion-MNIST (Debian's dataset-fashion-mnist when
//                                        installed, else an embedded 3,000-image sample) into runs/<model>-<time>/
//   dotnet run -- train --data DIR       MNIST/Fashion-MNIST IDX files or CIFAR-10/100 binaries in DIR
//   dotnet run -- inspect                both variants' layers, parameters, FLOPs and the weights map
//   dotnet run -- --help                 every command and option (eval, export, resume, ...)
return MotivationCli.Run(args);
