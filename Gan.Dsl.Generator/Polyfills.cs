// netstandard2.0 lacks the marker type that init-only setters and records need.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}

namespace Gan.Dsl.Generator
{
    /// <summary>Compares by reference (netstandard2.0 lacks System.Collections.Generic.ReferenceEqualityComparer): records
    /// compare by value, and a rewrite must know the very nodes it made.</summary>
    internal sealed class ReferenceComparer<T> : System.Collections.Generic.IEqualityComparer<T> where T : class
    {
        public static readonly ReferenceComparer<T> Instance = new ReferenceComparer<T>();
        public bool Equals(T? x, T? y) => ReferenceEquals(x, y);
        public int GetHashCode(T obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
