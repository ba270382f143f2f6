using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace GanDsl.Tests;

/// <summary>A program the tests run in a process of its own, its standard output and error read as they come (a child
/// that writes more than a pipe holds never blocks on a test that is not reading), and killed when it outlives its time.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new(), _error = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The path of the `gan` command-line tool next to the test assembly.</summary>
    public static string Gan => Path.Combine(AppContext.BaseDirectory, "gan.dll");

    /// <summary>Starts <paramref name="program"/> with the arguments (each passed as is) and extra environment variables.</summary>
    public static ChildProcess Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (name, value) in environment)
            {
                if (value is null) start.Environment.Remove(name);
                else start.Environment[name] = value;
            }
        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}"));
    }

    /// <summary>Runs `dotnet gan.dll ARGS` to its end.</summary>
    public static (int ExitCode, string Output, string Error) RunGan(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var all = new List<string> { Gan };
        all.AddRange(arguments);
        return Run("dotnet", all, environment, TimeSpan.FromMinutes(10));
    }

    /// <summary>Runs the program to its end (killing it after <paramref name="timeout"/>, default 10 minutes) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) Run(string program, IEnumerable<string> arguments,
                                                                  IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        using var child = Start(program, arguments, environment);
        if (!child.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            child.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not end within {timeout ?? TimeSpan.FromMinutes(10)}; its output:\n{child.Output}\n{child.Error}");
        }
        return (child.ExitCode, child.Output, child.Error);
    }

    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Output { get { lock (_output) return _output.ToString(); } }
    public string Error { get { lock (_error) return _error.ToString(); } }

    /// <summary>Waits for the end and for the last of its output to be read; false when it is still running after <paramref name="timeout"/>.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // the asynchronous readers have seen the end of both streams
        return true;
    }

    /// <summary>SIGKILL, the process and its children, then waits for it.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
