using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Monitoring.ConsoleTests;

/// <summary>
/// Debian's Chromium driven by Playwright, and signing in to the duty console through its page.
/// Also compiled into tests/Monitoring.IntegrationTests as a linked file: keeping it out of
/// Monitoring.Testing spares every other test project the Playwright driver.
/// </summary>
internal static partial class ConsoleBrowser
{
    /// <summary>Playwright's own browser download is not reachable here; Debian's package is (deploy/local/servers.sh install).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root in a container has no user namespace for Chromium's sandbox.
            Args = ["--no-sandbox"],
        });

    /// <summary>A fresh browser context (its own cookies) on the service, desktop size unless told.</summary>
    public static Task<IBrowserContext> NewContextAsync(IBrowser browser, Uri baseAddress, int width = 1440, int height = 900, string locale = "en-GB") =>
        browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
            TimezoneId = "Asia/Shanghai",
        });

    /// <summary>
    /// Signs in through the page and waits for the live list. <paramref name="timeoutMs"/> bounds each wait
    /// (Playwright's default, 5 s, when null): a busy machine may need more for the first page load.
    /// </summary>
    public static async Task<IPage> SignInAsync(IBrowserContext context, string user, string password, float? timeoutMs = null)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/console");
        await Assertions.Expect(page).ToHaveURLAsync(LoginUrl(), new PageAssertionsToHaveURLOptions { Timeout = timeoutMs });
        await page.Locator("#login-user").FillAsync(user);
        await page.Locator("#login-password").FillAsync(password);
        await page.Locator("#login-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live", new LocatorAssertionsToHaveAttributeOptions { Timeout = timeoutMs });
        return page;
    }

    /// <summary>Where screenshots go: MONITORING_CONSOLE_SCREENSHOTS (e.g. docs/console), or nowhere.</summary>
    public static string? ScreenshotPath(string name)
    {
        var folder = Environment.GetEnvironmentVariable("MONITORING_CONSOLE_SCREENSHOTS");
        if (string.IsNullOrEmpty(folder))
            return null;
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    [GeneratedRegex("/console/login")]
    private static partial Regex LoginUrl();
}
