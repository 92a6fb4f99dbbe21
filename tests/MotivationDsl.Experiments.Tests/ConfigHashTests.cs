namespace MotivationDsl.Experiments.Tests;

public sealed class ConfigHashTests
{
    /// <summary>The configuration recorded in results/fashion-resnet20-32.json, with the hash recorded there.</summary>
    private const string RecordedConfig = """
        {
          "name": "fashion-resnet20-32",
          "model": "MotivationDsl.Examples.Experiments.FashionResNet",
          "baseVariant": "ResNet20",
          "motivatedVariant": "ResNet32",
          "data": "/usr/share/datasets/fashion-mnist (train) (train 3000 images, test 5000 images, balanced first-N per class)",
          "trainLimit": 3000,
          "testLimit": 5000,
          "epochs": 3,
          "seeds": [1, 2, 3],
          "batchSize": 128,
          "optimizer": "sgd",
          "learningRate": 0.1,
          "momentum": 0.9,
          "weightDecay": 0.0005,
          "schedule": "cosine",
          "warmupEpochs": 0,
          "k": 2,
          "cropPadding": 0,
          "horizontalFlip": false,
          "ablations": true,
          "threads": 1,
          "evalEveryEpoch": false
        }
        """;

    private const string RecordedHash = "5d6a8f064d70aaf6e8bcd59cceece7f3";

    [Fact]
    public void HashOfARecordedConfigurationIsStable()
    {
        var config = ExperimentConfig.FromJson(RecordedConfig);
        Assert.Equal(RecordedHash, config.Hash());
        Assert.Equal(RecordedHash, ExperimentConfig.FromJson(config.ToJson()).Hash());
    }

    [Fact]
    public void HashOfTheTestConfigurationIsStable()
    {
        // Computed before GrowthModel existed.
        Assert.Equal("20be1201ce68424576d8b8fa25806ac9", Synthetic.Config().Hash());
    }
}
