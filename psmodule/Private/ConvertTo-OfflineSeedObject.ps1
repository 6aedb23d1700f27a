function ConvertTo-OfflineSeedObject {
    <#
    .SYNOPSIS
    Turns the data of a result event into an output object.

    .DESCRIPTION
    Copies the object that ConvertFrom-Json made from a result event's data, recursively, giving every
    property a PascalCase name (jobName becomes JobName; PowerShell property names are case-insensitive,
    so $result.jobName keeps working) and putting TypeName first in PSObject.TypeNames, which selects the
    view in OfflineSeed.format.ps1xml. Arrays stay arrays, also with one element or none.
    #>
    [CmdletBinding()]
    [OutputType([psobject])]
    param(
        [Parameter()]
        [AllowNull()]
        [object] $InputObject,

        [Parameter()]
        [string] $TypeName
    )

    if ($null -eq $InputObject) { return $null }

    if ($InputObject -is [System.Management.Automation.PSCustomObject]) {
        $properties = [ordered]@{}
        foreach ($property in $InputObject.PSObject.Properties) {
            $name = [string]$property.Name
            if ($name.Length -gt 0) { $name = $name.Substring(0, 1).ToUpperInvariant() + $name.Substring(1) }
            $properties[$name] = ConvertTo-OfflineSeedObject -InputObject $property.Value
        }
        $converted = [pscustomobject]$properties
        if (-not [string]::IsNullOrEmpty($TypeName)) { $converted.PSObject.TypeNames.Insert(0, $TypeName) }
        return $converted
    }

    if ($InputObject -is [System.Collections.IList]) {
        $items = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $InputObject) { $items.Add((ConvertTo-OfflineSeedObject -InputObject $item)) }
        # The unary comma keeps the array whole on the way out of the function.
        return , $items.ToArray()
    }

    return $InputObject
}
