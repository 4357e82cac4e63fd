namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>A small site configuration written for one test, so tests do not depend on the demo sites' setpoints.</summary>
internal static class TestSite
{
    public const string Enterprise = "91440300TESTCAST01";
    public const string Gateway = "gw01";
    public const string PressureTag = "CAST1.MOULD.WATER.P";

    public static string Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "test-site.yaml");
        File.WriteAllText(path, $"""
            enterprise: {Enterprise}
            name: Integration test casting plant
            industry: aluminium-casting
            gateways:
              - id: {Gateway}
                points:
                  - tag: {PressureTag}
                    unit: MPa
                    equipment: Casting pit 1 mould cooling water
                    rules:
                      - id: DC_MOULD_WATER_PRESSURE
                        type: limit
                        ll: 0.14
                        priority: critical
                        majorHazard: true
                        clause: 令10号 第五条 (铝加工深井铸造结晶器冷却水)
            """);
        return path;
    }
}
