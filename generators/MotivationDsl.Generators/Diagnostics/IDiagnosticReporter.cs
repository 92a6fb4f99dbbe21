using Microsoft.CodeAnalysis;

namespace MotivationDsl.Generators;

/// <summary>Where a stage reports a diagnostic (the validator, the model builder); a null location means the model's.</summary>
internal interface IDiagnosticReporter
{
    void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params object?[] args);
}
