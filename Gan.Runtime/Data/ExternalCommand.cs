using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Gan.Runtime.Data;

/// <summary>Runs a program (npm, apt-get, dpkg-deb) with a time limit, and turns every failure into an <see cref="IOException"/> that names the command.</summary>
internal static class ExternalCommand
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/> and returns its standard output.</summary>
    /// <exception cref="IOException">The program is not on PATH, ran past <paramref name="timeout"/> (it is then stopped), or exited with a non-zero code (the message quotes the end of its standard error).</exception>
    internal static string Run(string program, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout,
                               IReadOnlyDictionary<string, string>? environment = null)
    {
        string commandLine = string.Join(" ", new[] { program }.Concat(arguments).Select(Quote));
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        if (environment != null)
            foreach (var (key, value) in environment) start.Environment[key] = value;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new IOException($"`{commandLine}` did not start.");
        }
        catch (Win32Exception e)
        {
            const int NoSuchFile = 2;   // ENOENT / ERROR_FILE_NOT_FOUND
            throw new IOException(e.NativeErrorCode == NoSuchFile
                ? $"`{commandLine}` could not start: {program} is not on PATH."
                : $"`{commandLine}` could not start ({e.Message}).", e);
        }
        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It ended between the wait and the kill.
                }
                throw new IOException(string.Create(CultureInfo.InvariantCulture, $"`{commandLine}` did not finish within {timeout.TotalSeconds:0.###} s and was stopped."));
            }
            process.WaitForExit();   // lets the output readers reach the end
            if (process.ExitCode != 0)
            {
                string stderr = Tail(error.Result);
                throw new IOException($"`{commandLine}` failed with exit code {process.ExitCode}" + (stderr.Length > 0 ? $": {stderr}" : "."));
            }
            return output.Result;
        }
    }

    /// <summary>The last lines of a program's error output, on one line, at most ~600 characters.</summary>
    private static string Tail(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string joined = string.Join(" | ", lines.TakeLast(6));
        return joined.Length <= 600 ? joined : "…" + joined[^600..];
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./@=:~+".Contains(c)) ? argument : $"'{argument.Replace("'", "'\\''")}'";
}
