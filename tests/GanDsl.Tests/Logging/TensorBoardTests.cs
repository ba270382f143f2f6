using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Logging;
using Gan.Runtime.Training;
using GanDsl.Samples.Catalog;
using GanDsl.Tests.Runtime;
using GanDsl.Tests.Training;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Logging;

/// <summary>TensorBoard event files written by hand: CRC-32C against published vectors, the TFRecord framing and the Event
/// protos read back by an independent reader (and compared with TorchSharp's own protobuf-based writer), what the trainer
/// logs, and that logging changes nothing in the training itself.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class TensorBoardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-tb-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Crc32C_matches_the_published_check_values()
    {
        Crc32C.Compute("123456789"u8).ShouldBe(0xE3069283u);   // the CRC catalogue's check value for CRC-32C
        Crc32C.Compute(ReadOnlySpan<byte>.Empty).ShouldBe(0u);
        // RFC 3720 (iSCSI), appendix B.4
        Crc32C.Compute(new byte[32]).ShouldBe(0x8A9136AAu);
        Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()).ShouldBe(0x62A8AB43u);
        Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()).ShouldBe(0x46DD794Eu);
        Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()).ShouldBe(0x113FDB5Cu);
        Crc32C.Mask(0).ShouldBe(0xA282EAD8u);
        byte[] data = Encoding.ASCII.GetBytes("brain.Event:2");
        Crc32C.Compute(data).ShouldBe(TorchSharp.Utils.CRC32C.process(data));   // TorchSharp's own implementation agrees
    }

    [Fact]
    public void An_event_file_reads_back_with_both_crcs_and_every_field()
    {
        string path;
        byte[] png;
        using (var writer = TensorBoardWriter.Create(_dir))
        {
            path = writer.FilePath;
            Path.GetFileName(path).ShouldStartWith("events.out.tfevents.");
            writer.SessionStart(1);
            writer.Scalars(10, new[] { KeyValuePair.Create("train/loss_D", 1.25f), KeyValuePair.Create("train/loss_G", -0.5f) });
            writer.Scalar("eval/fid", 3.5f, 300);
            Tensor images = torch.rand(new long[] { 6, 1, 4, 4 }, generator: new torch.Generator(1));
            writer.ImageGrid("samples", images, columns: 3, step: 1L << 40);
            byte[] rgb = Gan.Runtime.Imaging.ImageGrid.Render(images, 3, 2, 1, out int w, out int h);
            png = Gan.Runtime.Imaging.Png.Encode(w, h, rgb);
        }
        var events = EventFileReader.Read(path);
        events.Count.ShouldBe(5);
        events[0].FileVersion.ShouldBe("brain.Event:2");
        events[0].Step.ShouldBe(0);
        foreach (var e in events) e.WallTime.ShouldBe(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0, tolerance: 600);   // seconds, not ticks
        events[1].SessionStatus.ShouldBe(1);   // SessionLog.START
        events[1].Step.ShouldBe(1);
        events[2].Step.ShouldBe(10);
        events[2].Values.Select(v => (v.Tag, v.SimpleValue)).ShouldBe(new (string, float?)[] { ("train/loss_D", 1.25f), ("train/loss_G", -0.5f) });
        events[3].Step.ShouldBe(300);
        events[3].Values.Single().ShouldBe(new EventFileReader.SummaryValue("eval/fid", 3.5f, null));
        events[4].Step.ShouldBe(1L << 40);   // a multi-byte varint
        var image = events[4].Values.Single().Image!;
        events[4].Values.Single().Tag.ShouldBe("samples");
        (image.Width, image.Height, image.Colorspace).ShouldBe((2 + 3 * 6, 2 + 2 * 6, 3));
        image.Png.ShouldBe(png);

        // Any damage is caught by a CRC.
        byte[] file = File.ReadAllBytes(path);
        file[^3] ^= 1;
        Should.Throw<InvalidDataException>(() => EventFileReader.Records(file)).Message.ShouldContain("bad data CRC");
        file = File.ReadAllBytes(path);
        file[0] ^= 1;
        Should.Throw<InvalidDataException>(() => EventFileReader.Records(file)).Message.ShouldContain("bad length CRC");
    }

    [Fact]
    public void Scalar_events_encode_as_TorchSharps_protobuf_writer_encodes_them()
    {
        // TorchSharp's SummaryWriter serializes with Google.Protobuf: its file must pass this test's reader, and its
        // summary must be byte-identical to ours for the same tag, value and step (wall times differ, so compare the rest).
        string theirs = Path.Combine(_dir, "torchsharp");
        var reference = torch.utils.tensorboard.SummaryWriter(theirs);
        reference.add_scalar("train/loss_D", 0.6931f, 1234);
        var theirEvents = EventFileReader.Read(Directory.GetFiles(theirs).Single());
        theirEvents[0].FileVersion.ShouldBe("brain.Event:2");

        string ours;
        using (var writer = TensorBoardWriter.Create(Path.Combine(_dir, "ours")))
        {
            writer.Scalar("train/loss_D", 0.6931f, 1234);
            ours = writer.FilePath;
        }
        var ourEvents = EventFileReader.Read(ours);
        static (long, byte[][]) WithoutWallTime(EventFileReader.Event e) =>
            (e.Step, EventFileReader.Fields(e.Raw).Where(f => f.Number != 1).Select(f => f.Bytes.Length > 0 ? f.Bytes : BitConverter.GetBytes(f.Varint)).ToArray());
        var (ourStep, ourFields) = WithoutWallTime(ourEvents[1]);
        var (theirStep, theirFields) = WithoutWallTime(theirEvents[1]);
        ourStep.ShouldBe(theirStep);
        ourFields.Length.ShouldBe(theirFields.Length);
        for (int i = 0; i < ourFields.Length; i++) ourFields[i].ShouldBe(theirFields[i]);
    }

    [Fact]
    public void A_new_file_per_invocation_never_overwrites_one()
    {
        using var a = TensorBoardWriter.Create(_dir);
        using var b = TensorBoardWriter.Create(_dir);
        a.FilePath.ShouldNotBe(b.FilePath);
        Directory.GetFiles(_dir).Length.ShouldBe(2);
    }

    private static TrainOptions Options(int steps, TensorBoardWriter? tb, string? checkpoint = null, int every = 0, string? resume = null) => new()
    {
        Steps = steps, LogEvery = 4, LearningRateSchedule = "linear", Log = TextWriter.Null, TensorBoard = tb,
        CheckpointPath = checkpoint, CheckpointEvery = every, ResumeFrom = resume,
    };

    private static float[][] Parameters(IAdversarialModel model) => PlayerSnapshots.Values(model);

    [Fact]
    public void The_trainer_logs_losses_and_sample_grids_and_training_is_unchanged_by_it()
    {
        Tensor images = torch.rand(new long[] { 40, 1, 4, 4 }, generator: new torch.Generator(3));
        Tensor labels = torch.arange(40, dtype: int64);
        ImageBatchSource Source() => new(images, labels, 8, CPU, Gan.Dsl.DataRange.MinusOneToOne, seed: 11);

        torch.manual_seed(4);
        using var plain = new TinyImageGan(CPU);
        using (var source = Source()) Trainer.Train(plain, source, Options(10, null, Path.Combine(_dir, "a.ckpt"), every: 5));

        string checkpoint = Path.Combine(_dir, "b.ckpt");
        string tbDir = Path.Combine(_dir, "tb");
        torch.manual_seed(4);
        using var logged = new TinyImageGan(CPU);
        string file;
        using (var tb = TensorBoardWriter.Create(tbDir))
        using (var source = Source())
        {
            Trainer.Train(logged, source, Options(10, tb, checkpoint, every: 5));
            file = tb.FilePath;
        }
        float[][] a = Parameters(plain), b = Parameters(logged);
        for (int i = 0; i < a.Length; i++) b[i].ShouldBe(a[i]);   // the grids draw from fixed noise and put the generator back

        var events = EventFileReader.Read(file);
        events[0].FileVersion.ShouldBe("brain.Event:2");
        events[1].SessionStatus.ShouldBe(1);
        events[1].Step.ShouldBe(1);
        var scalarSteps = events.Where(e => e.Values.Any(v => v.Tag == "train/loss_D")).Select(e => e.Step).ToArray();
        scalarSteps.ShouldBe(new long[] { 4, 8, 10 });   // every LogEvery steps and the last
        foreach (var e in events.Where(e => e.Values.Any(v => v.SimpleValue is not null)))
        {
            e.Values.Select(v => v.Tag).ShouldBe(new[] { "train/loss_D", "train/loss_G", "train/steps_per_second", "train/lr_factor" });
            e.Values.ShouldAllBe(v => v.SimpleValue != null && float.IsFinite(v.SimpleValue.Value));
        }
        var grids = events.Where(e => e.Values.Any(v => v.Image != null)).ToArray();
        grids.Select(e => e.Step).ShouldBe(new long[] { 5, 10 });   // at each checkpoint (the last one is the end)
        grids.ShouldAllBe(e => e.Values.Single().Tag == "samples");
        var grid = grids[0].Values.Single().Image!;
        (grid.Width, grid.Height).ShouldBe((2 + 8 * (8 + 2), 2 + 8 * (8 + 2)));   // 64 samples of 4x4, 8 per row, scale 2
        grid.Png[..8].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });

        // A run killed after its checkpoint at step 5 and resumed appends a new file that starts with a START at step 6
        // (TensorBoard then drops what the killed run logged after its checkpoint) and ends as the unbroken run.
        string killedCheckpoint = Path.Combine(_dir, "k.ckpt");
        torch.manual_seed(4);
        using (var killed = new TinyImageGan(CPU))
        using (var tb = TensorBoardWriter.Create(tbDir))
        using (var source = Source())
            Should.Throw<OperationCanceledException>(() => Trainer.Train(killed, new KilledAfter(source, 7), Options(10, tb, killedCheckpoint, every: 5)));
        torch.manual_seed(99);
        using var resumed = new TinyImageGan(CPU);
        string resumedFile;
        using (var tb = TensorBoardWriter.Create(tbDir))
        using (var source = Source())
        {
            Trainer.Train(resumed, new KilledAfter(source, int.MaxValue), Options(10, tb, killedCheckpoint, every: 5, resume: killedCheckpoint));
            resumedFile = tb.FilePath;
        }
        Directory.GetFiles(tbDir).Length.ShouldBe(3);
        var again = EventFileReader.Read(resumedFile);
        again[0].FileVersion.ShouldBe("brain.Event:2");
        (again[1].SessionStatus, again[1].Step).ShouldBe((1, 6L));
        again.Where(e => e.Values.Any(v => v.Tag == "train/loss_D")).Select(e => e.Step).ShouldBe(new long[] { 8, 10 });
        float[][] c = Parameters(resumed);
        for (int i = 0; i < a.Length; i++) c[i].ShouldBe(a[i]);
    }


    /// <summary>Runs only where TensorBoard itself is installed for python3 (it is not on this project's machines).</summary>
    public sealed class TensorBoardInstalledFactAttribute : FactAttribute
    {
        public TensorBoardInstalledFactAttribute()
        {
            if (!PythonHasTensorBoard()) Skip = "python3 with the tensorboard package is not installed here";
        }

        private static bool PythonHasTensorBoard()
        {
            try
            {
                return ChildProcess.Run("python3", new[] { "-c", "import tensorboard" }, timeout: TimeSpan.FromSeconds(30)).ExitCode == 0;
            }
            catch (Exception)
            {
                return false;
            }
        }
    }

    [TensorBoardInstalledFact]
    public void TensorBoards_own_EventAccumulator_reads_the_file()
    {
        string dir = Path.Combine(_dir, "ea");
        using (var writer = TensorBoardWriter.Create(dir))
        {
            writer.SessionStart(1);
            writer.Scalars(5, new[] { KeyValuePair.Create("train/loss_D", 1.5f) });
            writer.Scalars(10, new[] { KeyValuePair.Create("train/loss_D", 0.75f) });
            writer.ImageGrid("samples", torch.rand(new long[] { 4, 1, 4, 4 }), columns: 2, step: 10);
        }
        string script = """
            import sys
            from tensorboard.backend.event_processing import event_accumulator
            ea = event_accumulator.EventAccumulator(sys.argv[1], size_guidance={event_accumulator.IMAGES: 0, event_accumulator.SCALARS: 0})
            ea.Reload()
            print(";".join(f"{s.step}={s.value}" for s in ea.Scalars("train/loss_D")))
            im = ea.Images("samples")[0]
            print(f"{im.step} {im.width}x{im.height} {len(im.encoded_image_string)}")
            """;
        var (exitCode, output, error) = ChildProcess.Run("python3", new[] { "-c", script, dir });
        exitCode.ShouldBe(0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("5=1.5;10=0.75");
        lines[1].ShouldStartWith("10 6x6 ");
    }
}
