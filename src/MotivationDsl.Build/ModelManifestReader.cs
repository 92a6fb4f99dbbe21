using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace MotivationDsl.Build;

/// <summary>One <c>[assembly: GeneratedScalableModel(typeof(M), name, manifestJson)]</c> found in an assembly.</summary>
public sealed class ModelManifest
{
    public ModelManifest(string? modelType, string? name, string? manifestJson)
    {
        ModelType = modelType;
        Name = name;
        ManifestJson = manifestJson;
    }

    /// <summary>The serialized (assembly-qualified or plain) name of the model type, as stored in the attribute blob.</summary>
    public string? ModelType { get; }

    public string? Name { get; }

    public string? ManifestJson { get; }
}

/// <summary>
/// Reads <c>MotivationDsl.GeneratedScalableModelAttribute</c> assembly attributes from a compiled assembly's
/// metadata (System.Reflection.Metadata: nothing is loaded or executed).
/// </summary>
public static class ModelManifestReader
{
    public const string AttributeNamespace = "MotivationDsl";
    public const string AttributeName = "GeneratedScalableModelAttribute";

    /// <summary>
    /// The model manifests declared on the assembly at <paramref name="assemblyPath"/>.
    /// Throws <see cref="InvalidDataException"/> when the file is not a .NET assembly or an attribute has an unexpected shape.
    /// </summary>
    public static IReadOnlyList<ModelManifest> Read(string assemblyPath)
    {
        byte[] bytes = File.ReadAllBytes(assemblyPath);
        return Read(bytes);
    }

    public static IReadOnlyList<ModelManifest> Read(byte[] image)
    {
        try
        {
            using var pe = new PEReader(ImmutableArray.Create(image));
            if (!pe.HasMetadata)
                throw new InvalidDataException("The file is not a .NET assembly (it has no metadata).");
            var md = pe.GetMetadataReader();
            if (!md.IsAssembly)
                throw new InvalidDataException("The file is a .NET module without an assembly manifest.");
            var result = new List<ModelManifest>();
            foreach (var handle in md.GetAssemblyDefinition().GetCustomAttributes())
            {
                var attribute = md.GetCustomAttribute(handle);
                if (!IsGeneratedScalableModel(md, attribute.Constructor)) continue;
                CustomAttributeValue<string> value;
                try
                {
                    value = attribute.DecodeValue(new StringTypeProvider());
                }
                catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or NotSupportedException)
                {
                    throw new InvalidDataException($"A {AttributeName} could not be decoded: {e.Message}", e);
                }
                var args = value.FixedArguments;
                if (args.Length != 3 || args[0].Type != "System.Type" || args[1].Type != "System.String" || args[2].Type != "System.String")
                    throw new InvalidDataException(
                        $"A {AttributeName} has constructor arguments ({string.Join(", ", Types(args))}); expected (System.Type, System.String, System.String). " +
                        "The assembly was compiled against an incompatible MotivationDsl.");
                result.Add(new ModelManifest(args[0].Value as string, args[1].Value as string, args[2].Value as string));
            }
            return result;
        }
        catch (BadImageFormatException e)
        {
            throw new InvalidDataException($"The file is not a valid .NET assembly: {e.Message}", e);
        }
    }

    private static IEnumerable<string> Types(ImmutableArray<CustomAttributeTypedArgument<string>> args)
    {
        foreach (var a in args) yield return a.Type;
    }

    private static bool IsGeneratedScalableModel(MetadataReader md, EntityHandle constructor)
    {
        EntityHandle type;
        switch (constructor.Kind)
        {
            case HandleKind.MemberReference:
                type = md.GetMemberReference((MemberReferenceHandle)constructor).Parent;
                break;
            case HandleKind.MethodDefinition:
                type = md.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType();
                break;
            default:
                return false;
        }
        switch (type.Kind)
        {
            case HandleKind.TypeReference:
                var tr = md.GetTypeReference((TypeReferenceHandle)type);
                return md.StringComparer.Equals(tr.Name, AttributeName) && md.StringComparer.Equals(tr.Namespace, AttributeNamespace);
            case HandleKind.TypeDefinition:
                var td = md.GetTypeDefinition((TypeDefinitionHandle)type);
                return md.StringComparer.Equals(td.Name, AttributeName) && md.StringComparer.Equals(td.Namespace, AttributeNamespace);
            default:
                return false;
        }
    }

    /// <summary>Describes every type by its full name; enough to check and decode (Type, string, string).</summary>
    private sealed class StringTypeProvider : ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.String => "System.String",
            _ => "System." + typeCode,
        };

        public string GetSystemType() => "System.Type";

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var td = reader.GetTypeDefinition(handle);
            return Qualified(reader.GetString(td.Namespace), reader.GetString(td.Name));
        }

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var tr = reader.GetTypeReference(handle);
            return Qualified(reader.GetString(tr.Namespace), reader.GetString(tr.Name));
        }

        public string GetTypeFromSerializedName(string name) => name;

        // Enums can't be resolved without loading their assembly; the attribute this reader looks for has none.
        public PrimitiveTypeCode GetUnderlyingEnumType(string type) =>
            throw new NotSupportedException($"Enum argument of type {type} in a {AttributeName}.");

        public bool IsSystemType(string type) => type == "System.Type";

        private static string Qualified(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;
    }
}
