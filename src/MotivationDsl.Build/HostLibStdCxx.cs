using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace MotivationDsl.Build;

/// <summary>Finds the host's libstdc++ and tells which GLIBCXX versions it defines.</summary>
public static class HostLibStdCxx
{
    private static readonly string[] Candidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    /// <summary>The first libstdc++.so.6 found in the system's library folders, or null (not Linux, or none there).</summary>
    public static string? Find()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return null;
        foreach (var c in Candidates)
            if (File.Exists(c)) return c;
        return null;
    }

    /// <summary>Whether the library file defines the symbol version <paramref name="version"/> (e.g. GLIBCXX_3.4.32).</summary>
    public static bool Defines(string libraryPath, string version)
    {
        var bytes = File.ReadAllBytes(libraryPath);
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        for (var i = 1; i + needle.Length <= bytes.Length; i++)
        {
            if (bytes[i - 1] != 0 || bytes[i] != needle[0]) continue;
            var match = true;
            for (var j = 1; j < needle.Length && match; j++) match = bytes[i + j] == needle[j];
            if (match) return true;
        }
        return false;
    }
}
