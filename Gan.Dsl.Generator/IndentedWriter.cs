using System;
using System.Text;

namespace Gan.Dsl.Generator
{
    /// <summary>Writes indented C# line by line (no NormalizeWhitespace: it is slow and unreadable in diffs).</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder _builder = new StringBuilder();
        private int _indent;

        public IndentedWriter Line(string text = "")
        {
            if (text.Length > 0) _builder.Append(' ', _indent * 4).Append(text);
            _builder.Append('\n');
            return this;
        }

        /// <summary>Writes several lines (a raw string), each at the current indentation.</summary>
        public IndentedWriter Lines(string text)
        {
            foreach (string line in text.Replace("\r\n", "\n").Split('\n')) Line(line);
            return this;
        }

        public IDisposable Block(string header)
        {
            if (header.Length > 0) Line(header);
            Line("{");
            _indent++;
            return new Closer(this, "}");
        }

        public IDisposable Indent() { _indent++; return new Closer(this, null); }

        private sealed class Closer : IDisposable
        {
            private readonly IndentedWriter _writer;
            private readonly string? _closing;
            public Closer(IndentedWriter writer, string? closing) { _writer = writer; _closing = closing; }
            public void Dispose()
            {
                _writer._indent--;
                if (_closing != null) _writer.Line(_closing);
            }
        }

        public override string ToString() => _builder.ToString();
    }
}
