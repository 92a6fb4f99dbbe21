using MotivationDsl.Cli;

// The CLI on this project's GPT family: `dotnet run --project examples/Gpt -- train --data sample --epochs 1`, then
// `-- sample --run runs/GptFamily-...`. A language model trains on byte-level English text (Debian's python3-doc when
// installed, else the embedded sample); see docs/cli.md.
return MotivationCli.Run(args);
