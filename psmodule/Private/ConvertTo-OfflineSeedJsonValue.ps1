function ConvertTo-OfflineSeedJsonValue {
    <#
    .SYNOPSIS
    Copies a parameter value into plain .NET values before ConvertTo-Json sees it.

    .DESCRIPTION
    Windows PowerShell 5.1's ConvertTo-Json serializes the extended members PowerShell attaches to a
    value (a string read by Get-Content carries PSPath, PSChildName, ...), turning "D:\data" into
    {"value":"D:\\data","PSPath":...}. Copying strings into new instances, switches into booleans,
    lists into object arrays and dictionaries into ordered dictionaries drops those members.
    #>
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter()]
        [AllowNull()]
        [object] $InputObject
    )

    if ($null -eq $InputObject) { return $null }
    if ($InputObject -is [System.Management.Automation.PSObject]) { $InputObject = $InputObject.PSObject.BaseObject }
    if ($InputObject -is [string]) { return [string]::new([char[]]$InputObject) }
    if ($InputObject -is [System.Management.Automation.SwitchParameter]) { return $InputObject.IsPresent }
    if ($InputObject -is [bool]) { return [bool]$InputObject }
    if ($InputObject -is [System.Collections.IDictionary]) {
        $copy = [ordered]@{}
        foreach ($key in @($InputObject.Keys)) { $copy[[string]$key] = ConvertTo-OfflineSeedJsonValue -InputObject $InputObject[$key] }
        return $copy
    }
    if ($InputObject -is [System.Collections.IEnumerable]) {
        $items = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $InputObject) { $items.Add((ConvertTo-OfflineSeedJsonValue -InputObject $item)) }
        # The unary comma keeps the array whole on the way out of the function.
        return , $items.ToArray()
    }
    return $InputObject
}
