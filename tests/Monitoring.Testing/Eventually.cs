using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Monitoring.Testing;

/// <summary>
/// Polls a condition on an external server until it holds. Servers apply writes asynchronously,
/// so a test waits for the state it expects, bounded by a timeout, instead of sleeping for a guess.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Runs <paramref name="probe"/> until <paramref name="done"/> accepts its value and returns that value.
    /// A probe that throws counts as "not yet" (the server may not have created the thing yet);
    /// the last error becomes the inner exception of the <see cref="TimeoutException"/>.
    /// </summary>
    public static async Task<T> MatchAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string description)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);

        var started = Stopwatch.GetTimestamp();
        var delay = FirstDelay;
        var attempts = 0;
        var haveValue = false;
        T last = default!;
        Exception? lastError = null;

        while (true)
        {
            var remaining = timeout - Stopwatch.GetElapsedTime(started);
            if (remaining > TimeSpan.Zero)
            {
                attempts++;
                try
                {
                    // A probe that hangs must not stretch the bound.
                    last = await probe().WaitAsync(remaining).ConfigureAwait(false);
                    haveValue = true;
                    lastError = null;
                    if (done(last))
                    {
                        return last;
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    lastError = ex;
                }
            }

            remaining = timeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                var lastText = haveValue ? Describe(last) : "(no value: every probe failed)";
                var message = string.Create(
                    CultureInfo.InvariantCulture,
                    $"Timed out after {timeout.TotalSeconds:0.###} s ({attempts} probes) waiting for: {description}. Last value: {lastText}");
                throw new TimeoutException(message, lastError);
            }

            await Task.Delay(delay < remaining ? delay : remaining).ConfigureAwait(false);
            delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
        }
    }

    private static string Describe(object? value)
    {
        const int MaxItems = 20;
        switch (value)
        {
            case null:
                return "null";
            case string s:
                return '"' + s + '"';
            case IEnumerable items:
                var text = new StringBuilder("[");
                var count = 0;
                foreach (var item in items)
                {
                    if (count < MaxItems)
                    {
                        text.Append(count == 0 ? string.Empty : ", ").Append(Describe(item));
                    }

                    count++;
                }

                if (count > MaxItems)
                {
                    text.Append(CultureInfo.InvariantCulture, $", ... ({count} items)");
                }

                return text.Append(']').ToString();
            case IFormattable formattable:
                return formattable.ToString(null, CultureInfo.InvariantCulture);
            default:
                return value.ToString() ?? string.Empty;
        }
    }
}
