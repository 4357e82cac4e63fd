using YamlDotNet.RepresentationModel;

namespace Monitoring.Yaml;

/// <summary>A position in a configuration file, 1-based, kept on parsed models so later checks can point at the text. <c>(0, 0)</c> when the object was not parsed from a file.</summary>
public readonly record struct SourceMark(int Line, int Column)
{
    public static SourceMark Of(YamlNode node) => new((int)node.Start.Line, (int)node.Start.Column);
}

/// <summary>A problem in a configuration file, located for the person who must fix it.</summary>
public sealed record ConfigurationError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}({Line},{Column}): {Message}";
}
